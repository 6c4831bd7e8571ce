import express, { type Request, type Response, type Router } from 'express';
import { XMLBuilder } from 'fast-xml-parser';
import type { M3State } from '../state';
import { CATALOG } from './catalog';
import { executeTransaction, selectedFields, shapeRecords, type CallContext, type M3Events, type MiResult, type ProgramHandlers } from './engine';
import { MiError } from './mi-error';

export interface M3Settings {
  /** HTTP status of a failing single v2 call: 400 (what the SDK's comments describe) or 200 */
  v2ErrorStatus: 400 | 200;
  /** maxrecs when the caller sends none (server default not confirmed; Odin sends 100) */
  defaultMaxrecs: number;
}

export const defaultM3Settings = (): M3Settings => ({ v2ErrorStatus: 400, defaultMaxrecs: 100 });

/** v1 pads messages with blanks the way M3 does; clients trim them */
const V1_MESSAGE_LENGTH = 120;

interface Matrix {
  cono?: string;
  divi?: string;
  maxrecs?: string;
  returncols?: string;
  excludempty?: string;
  metadata?: string;
}

/** 'GetBasicData;metadata=true;maxrecs=10' → ['GetBasicData', {metadata:'true', maxrecs:'10'}] */
function splitMatrix(segment: string): [string, Matrix] {
  const [name, ...params] = segment.split(';');
  const matrix: Record<string, string> = {};
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0) matrix[param.slice(0, eq).toLowerCase()] = decodeURIComponent(param.slice(eq + 1));
  }
  return [name, matrix];
}

function queryFields(req: Request): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (key.startsWith('_')) continue; // cache busters such as _rid
    if (typeof value === 'string') fields[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') fields[key] = value[0];
  }
  return fields;
}

function parseMaxrecs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

function v1Error(error: MiError): Record<string, unknown> {
  return {
    Message: error.message.padEnd(V1_MESSAGE_LENGTH, ' '),
    '@type': error.type,
    '@code': error.code,
    '@cfg': null,
    '@field': error.field,
  };
}

/**
 * The XML form of a v1 answer: the same content with JSON's `@` keys as attributes (reference §2.2:
 * `<MIRecord><RowIndex>…<NameValue><Name/><Value/></NameValue>`, errors as
 * `<ErrorMessage type="…"><Message>…</Message></ErrorMessage>`). The root `miResult` is inferred.
 */
const xmlBuilder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, suppressEmptyNode: false });

function sendV1Xml(res: Response, root: 'miResult' | 'ErrorMessage', body: Record<string, unknown>): void {
  // JSON's null (@cfg) is an empty attribute in XML
  const content = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === null ? '' : v]));
  res.type('application/xml; charset=utf-8').send(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${xmlBuilder.build({ [root]: content }) as string}`);
}

/** 406 when the caller accepts none of the forms this endpoint has (v1: JSON or XML; the rest: JSON) */
function negotiate(req: Request, res: Response, forms: Array<'json' | 'xml'>): 'json' | 'xml' | undefined {
  const types = forms.flatMap((f) => (f === 'json' ? ['application/json'] : ['application/xml', 'text/xml']));
  const chosen = req.accepts(types);
  if (!chosen) {
    res.status(406).type('text/plain').send(`Not Acceptable: this resource is available as ${types.join(', ')}`);
    return undefined;
  }
  return chosen === 'application/json' ? 'json' : 'xml';
}

function v2ErrorFields(error: MiError): Record<string, string> {
  return { errorMessage: error.message, errorCode: error.code, errorField: error.field, errorType: error.type, errorCfg: '' };
}

/**
 * M3's MI REST API: v1 and v2 single calls, the v2 bulk call and metadata. Mounted under
 * `{url}/{TENANT}/M3/m3api-rest` behind the ION API bearer check.
 */
export function m3RestApi(deps: {
  programs: Record<string, ProgramHandlers>;
  m3: () => M3State;
  events: M3Events;
  settings: () => M3Settings;
  /** the M3 user a token that names no M3 user runs as (the backend app's service account) */
  serviceAccount?: string;
}): Router {
  const router = express.Router();
  // MI authority: a program the service account may not use is refused by the ION API with 403
  // before M3 sees the call (what a tenant without the authority answers)
  router.use((req: Request, res: Response, next) => {
    const program = /\/execute\/([A-Za-z0-9]+)\//.exec(req.path)?.[1]?.toUpperCase(); // single calls (the bulk endpoint names its program in the body)
    if (program && deps.m3().setup.deniedPrograms.includes(program)) {
      res.status(403).json({ error: 'forbidden', error_description: `The user has no MI authority to ${program}` });
      return;
    }
    next();
  });
  const run = (program: string, transaction: string, input: Record<string, string>, context: CallContext): MiResult =>
    executeTransaction(deps.programs, deps.m3(), deps.events, program.toUpperCase(), transaction, input, context, deps.serviceAccount);
  /** the caller: the `sub` of the token the ION API gateway checked */
  const subject = (res: Response): string | undefined => {
    const sub = (res.locals.token as { sub?: unknown } | undefined)?.sub;
    return typeof sub === 'string' ? sub : undefined;
  };

  /**
   * H5 and Odin fetch a CSRF token first and go on without one on a 404: through the ION API there is
   * no M3 session, so no CSRF token either [inferred].
   */
  router.get('/csrf', (_req, res) => {
    res.status(404).json({ error: 'No CSRF token: calls through the ION API gateway are authorized by their bearer token' });
  });

  router.get('/execute/:program/:transaction', (req: Request, res: Response) => {
    const form = negotiate(req, res, ['json', 'xml']);
    if (!form) return;
    const [transaction, matrix] = splitMatrix(String(req.params.transaction));
    const program = String(req.params.program);
    try {
      const result = run(program, transaction, queryFields(req), { cono: matrix.cono, divi: matrix.divi, subject: subject(res) });
      const returncols = matrix.returncols ? matrix.returncols.split(',') : undefined;
      const rows = shapeRecords(result.spec, result.records, {
        maxrecs: parseMaxrecs(matrix.maxrecs, deps.settings().defaultMaxrecs),
        returncols,
        excludeEmpty: matrix.excludempty === 'true',
        rightTrim: false,
      });
      const body: Record<string, unknown> = { Program: program.toUpperCase(), Transaction: transaction };
      if (matrix.metadata === 'true') {
        body.Metadata = {
          Field: selectedFields(result.spec, returncols).map(([name, type, length, description]) => ({
            '@name': name,
            '@type': type,
            '@length': length,
            '@description': description,
          })),
        };
      }
      body.MIRecord = rows.map((row, index) => ({ RowIndex: index, NameValue: Object.entries(row).map(([Name, Value]) => ({ Name, Value })) }));
      if (form === 'xml') sendV1Xml(res, 'miResult', body);
      else res.json(body);
    } catch (error) {
      if (!(error instanceof MiError)) throw error;
      if (form === 'xml') sendV1Xml(res, 'ErrorMessage', v1Error(error));
      else res.status(200).json(v1Error(error));
    }
  });

  router.get('/v2/execute/:program/:transaction', (req: Request, res: Response) => {
    if (!negotiate(req, res, ['json'])) return; // v2 answers JSON only [inferred]
    const [transaction, matrix] = splitMatrix(String(req.params.transaction));
    const program = String(req.params.program);
    const input = queryFields(req);
    try {
      const result = run(program, transaction, input, { cono: matrix.cono, divi: matrix.divi, subject: subject(res) });
      const rows = shapeRecords(result.spec, result.records, {
        maxrecs: parseMaxrecs(matrix.maxrecs, deps.settings().defaultMaxrecs),
        returncols: matrix.returncols ? matrix.returncols.split(',') : undefined,
        excludeEmpty: matrix.excludempty === 'true',
        rightTrim: false,
      });
      res.json({
        results: [{ transaction, records: rows, notProcessed: false, parameters: input }],
        wasTerminated: false,
        nrOfSuccessfullTransactions: 1,
        nrOfFailedTransactions: 0,
        nrOfNotProcessedTransactions: 0,
      });
    } catch (error) {
      if (!(error instanceof MiError)) throw error;
      const fields = v2ErrorFields(error);
      res.status(deps.settings().v2ErrorStatus).json({
        ...fields,
        program: program.toUpperCase(),
        transaction,
        results: [{ transaction, records: [], ...fields, notProcessed: false, parameters: input }],
        wasTerminated: false,
        nrOfSuccessfullTransactions: 0,
        nrOfFailedTransactions: 1,
        nrOfNotProcessedTransactions: 0,
      });
    }
  });

  router.post('/v2/execute', express.json({ limit: '5mb' }), (req: Request, res: Response) => {
    if (!negotiate(req, res, ['json'])) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const query = queryFields(req);
    const program = typeof body.program === 'string' ? body.program : query.program;
    const transactions = body.transactions;
    if (!program || !Array.isArray(transactions)) {
      res.status(400).json({ errorMessage: 'Body must have "program" and a "transactions" array', errorType: 'BadRequest' });
      return;
    }
    const cono = body.cono !== undefined ? String(body.cono) : query.cono;
    const divi = typeof body.divi === 'string' ? body.divi : query.divi;
    const maxrecs = parseMaxrecs(
      body.maxReturnedRecords !== undefined ? String(body.maxReturnedRecords) : query.maxrecs,
      deps.settings().defaultMaxrecs,
    );
    const rightTrim = body.rightTrim === true;
    const excludeEmpty = body.excludeEmptyValues === true;
    let ok = 0;
    let failed = 0;
    const results = transactions.map((entry: unknown) => {
      const t = (entry ?? {}) as { transaction?: unknown; record?: unknown; selectedColumns?: unknown };
      const transaction = typeof t.transaction === 'string' ? t.transaction : '';
      const record: Record<string, string> = {};
      for (const [k, v] of Object.entries((t.record ?? {}) as Record<string, unknown>)) {
        if (v !== null && v !== undefined) record[k] = String(v);
      }
      const returncols = Array.isArray(t.selectedColumns) ? t.selectedColumns.map(String) : undefined;
      try {
        const result = run(program, transaction, record, { cono, divi, subject: subject(res) });
        ok += 1;
        const rows = shapeRecords(result.spec, result.records, { maxrecs, returncols, excludeEmpty, rightTrim });
        return { transaction, records: rows, notProcessed: false, parameters: record };
      } catch (error) {
        if (!(error instanceof MiError)) throw error;
        failed += 1;
        return { transaction, records: [], ...v2ErrorFields(error), notProcessed: false, parameters: record };
      }
    });
    res.json({
      results,
      wasTerminated: false,
      nrOfSuccessfullTransactions: ok,
      nrOfFailedTransactions: failed,
      nrOfNotProcessedTransactions: 0,
    });
  });

  router.get('/metadata', (_req, res) => {
    res.json({
      // every program described, including the metadata-only ones (catalog.ts)
      Program: Object.entries(CATALOG).map(([name, spec]) => ({ '@name': name, '@description': spec.description })),
    });
  });

  router.get('/metadata/:program', (req: Request, res: Response) => {
    const name = String(req.params.program).toUpperCase();
    const spec = Object.hasOwn(CATALOG, name) ? CATALOG[name] : undefined;
    if (!spec) {
      res.status(404).json({ Message: `Program ${name} does not exist`, '@type': 'TransactionNotFound' });
      return;
    }
    res.json({
      Program: {
        '@name': name,
        '@description': spec.description,
        Transaction: Object.entries(spec.transactions).map(([tname, t]) => ({
          '@name': tname,
          '@description': t.description,
          '@multi': tname.startsWith('Lst') || tname.startsWith('Search') || tname.startsWith('Sel'),
          InputFields: { Field: t.in.map(([f, mandatory, type, description]) => ({ '@name': f, '@type': type, '@mandatory': mandatory === 1, '@description': description })) },
          OutputFields: { Field: t.out.map(([f, type, length, description]) => ({ '@name': f, '@type': type, '@length': length, '@description': description })) },
        })),
      },
    });
  });

  return router;
}
