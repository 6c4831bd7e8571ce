import { createHash, randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { addToContext, currentContext } from '../../observability/context';
import type { Logger } from '../../observability/logger';
import { BodError, parseBodEnvelope } from '../bod';
import { findCardDataInBod, redactCardDataInXml } from '../bod/card-data';
import { decodeXmlBytes } from '../bod/xml';
import { findCardData } from '../../http/middleware/refuse-card-data';
import type { InforTokenVerifier } from '../os/verify-token';
import type { IonInboxPayload } from './inbound-worker';
import { readImsMultipart } from './multipart';

/** A document from ION, read far enough to be stored (its envelope parsed, nothing decided yet). */
export interface InboundDocument {
  documentName: string;
  bodId: string;
  payload: IonInboxPayload;
  correlationId: string;
}

/** Stores a document once, with the job of whatever processes it (the flow that owns its noun, or the gateway's own handling). */
export type DocumentRouter = (doc: InboundDocument) => Promise<{ inboxId: string; duplicate: boolean; flowId?: string }>;

export interface ImsRouteDeps {
  db: Knex;
  route: DocumentRouter;
  logger: Logger;
  /** verifies ION's bearer token; undefined = IMS auth off (infor.imsAuth false) */
  verify?: InforTokenVerifier;
  maxBodyBytes: number;
  maxDepth: number;
  /** the tenant we serve: a push with another X-TenantId is refused (unset = not checked) */
  tenant?: string;
  /**
   * Store a refused document that is still a BOD (card data in it), with the job that answers ION
   * with a ConfirmBOD naming the reason; unset = kept as `rejected` without a ConfirmBOD.
   */
  refuse?: (doc: { documentName: string; dedupeKey: string; payload: IonInboxPayload & { refused: { code: string; message: string } }; correlationId: string }) => Promise<{ inboxId: string; duplicate: boolean }>;
}

/** How much of a refused document the inbox keeps (the whole document up to this size). */
const KEEP_REFUSED_BYTES = 256 * 1024;

/**
 * The IMS endpoints ION calls on a custom application (API suite from the "ION Messaging
 * Service v3" template, context `ims`): ping, protocol and multipartMessage (v2 and v3).
 * A BOD is persisted to the inbox once (dedupe by BODID) with the job of the flow that owns its
 * noun (or the gateway's own handling of it) in one transaction before we answer 2xx; a duplicate
 * answers 2xx without a second job. A document that cannot be
 * read as a BOD is kept in the inbox as `rejected` and answered 4xx.
 */
export function imsRouter(deps: ImsRouteDeps): Router {
  const router = express.Router();

  router.use(async (req: Request, _res: Response, next: NextFunction) => {
    if (!deps.verify) return next();
    try {
      const claims = await deps.verify(req.headers.authorization);
      addToContext({ ionClient: typeof claims.client_id === 'string' ? claims.client_id : undefined });
      next();
    } catch (err) {
      next(err);
    }
  });

  router.get('/service/ping', (_req, res) => {
    res.json({ status: 'OK' });
  });

  router.get('/service/protocol', (_req, res) => {
    res.json({ version: 'v3', messageMethod: 'multipartMessage', hasDiscovery: false });
  });

  const receive = (version: 'v2' | 'v3') => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const tenantId = typeof req.headers['x-tenantid'] === 'string' ? req.headers['x-tenantid'] : undefined;
      if (deps.tenant && tenantId && tenantId !== deps.tenant) {
        throw new AppError(`this gateway serves tenant ${deps.tenant}, not ${tenantId}`, { code: 'IMS_WRONG_TENANT', errorClass: 'business', httpStatus: 403 });
      }
      const parts = await readImsMultipart(req, deps.maxBodyBytes);
      if (!parts.payload) throw new AppError('the MessagePayload part is missing', { code: 'IMS_PART_MISSING', errorClass: 'business', httpStatus: 400, details: { part: 'MessagePayload' } });
      let parameters: Record<string, unknown> = {};
      if (parts.parameterRequest !== undefined) {
        try {
          const parsed: unknown = JSON.parse(parts.parameterRequest);
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) parameters = parsed as Record<string, unknown>;
          else throw new Error('not an object');
        } catch {
          throw new AppError('the ParameterRequest part is not a JSON object', { code: 'IMS_BAD_PARAMETERS', errorClass: 'business', httpStatus: 400 });
        }
      }
      const correlationId = currentContext()?.correlationId ?? randomUUID();
      const documentName = typeof parameters.documentName === 'string' ? parameters.documentName : 'unknown';

      if (parts.payloadTruncated) {
        const error = new BodError('BOD_TOO_LARGE', `the document is over ${deps.maxBodyBytes} bytes`, { maxBytes: deps.maxBodyBytes });
        await keepRefused(deps, { payload: parts.payload, parameters, tenantId, documentName, correlationId, error, truncated: true });
        throw error;
      }

      let xml: string;
      let bodId: string;
      let kind: string;
      let cardDataAt: string | undefined;
      try {
        xml = decodeXmlBytes(parts.payload);
        const raw = parseBodEnvelope(xml, { maxBytes: deps.maxBodyBytes, maxDepth: deps.maxDepth });
        bodId = raw.envelope.bodId;
        kind = raw.documentName;
        // PCI: card data never enters the gateway, through ION no more than through JSON
        cardDataAt = findCardDataInBod(raw.rootName, raw.root) ?? (findCardData(parameters, 'ParameterRequest') ? 'ParameterRequest' : undefined);
      } catch (err) {
        if (err instanceof BodError) await keepRefused(deps, { payload: parts.payload, parameters, tenantId, documentName, correlationId, error: err, truncated: false });
        throw err;
      }
      if (cardDataAt) {
        const error = new BodError('BOD_CARD_DATA_REFUSED', `the document carries card data (at ${cardDataAt.replace(/\[\d+\]/g, '')}); this service never accepts card numbers or security codes`, { at: cardDataAt });
        const redacted = { xml: redactCardDataInXml(xml), parameters: findCardData(parameters) ? {} : parameters, tenantId, refused: { code: error.code, message: error.message } };
        if (deps.refuse) {
          await deps.refuse({ documentName: kind, dedupeKey: `refused:sha256:${createHash('sha256').update(parts.payload).digest('hex')}`, payload: redacted, correlationId });
          deps.logger.warn('BOD with card data refused: a ConfirmBOD goes to ION, the inbox keeps a masked copy', { errorCode: error.code, documentName: kind });
        } else {
          await keepRefused(deps, { payload: Buffer.from(redacted.xml, 'utf8'), parameters: redacted.parameters, tenantId, documentName: kind, correlationId, error, truncated: false });
        }
        throw error;
      }
      addToContext({ bodId, documentName: kind });
      const { inboxId, duplicate, flowId } = await deps.route({ documentName: kind, bodId, payload: { xml, parameters, tenantId }, correlationId });
      deps.logger.info(duplicate ? 'BOD from ION already received' : 'BOD from ION received', { inboxId, bodId, documentName: kind, duplicate, flow: flowId });
      res.status(version === 'v2' ? 201 : 202).json({ status: duplicate ? 'duplicate' : 'received', inboxId, bodId });
    } catch (err) {
      next(err);
    }
  };
  router.post('/service/v2/multipartMessage', receive('v2'));
  router.post('/service/v3/multipartMessage', receive('v3'));
  return router;
}

/** Keep a refused document (or its first part, when over the cap) so nothing ION sent is lost. */
async function keepRefused(
  deps: ImsRouteDeps,
  input: { payload: Buffer; parameters: Record<string, unknown>; tenantId?: string; documentName: string; correlationId: string; error: AppError; truncated: boolean },
): Promise<void> {
  const hash = createHash('sha256').update(input.payload).digest('hex');
  // whatever was refused, the copy never holds card data (a malformed document may carry some too)
  const kept = Buffer.from(redactCardDataInXml(input.payload.subarray(0, KEEP_REFUSED_BYTES).toString('utf8')), 'utf8');
  await deps.db('inbox')
    .insert({
      source: 'ion',
      dedupe_key: `refused:sha256:${hash}`,
      kind: input.documentName,
      payload: JSON.stringify({
        // PostgreSQL jsonb cannot hold NUL: a hostile document may contain one
        xml: kept.toString('utf8').replaceAll(String.fromCharCode(0), '\uFFFD'),
        parameters: findCardData(input.parameters) ? {} : input.parameters,
        tenantId: input.tenantId,
        refused: { bytesKept: Math.min(input.payload.length, KEEP_REFUSED_BYTES), complete: !input.truncated && input.payload.length <= KEEP_REFUSED_BYTES },
      }),
      correlation_id: input.correlationId,
      status: 'rejected',
      processed_at: deps.db.fn.now(),
      error_code: input.error.code,
      error: input.error.message,
    })
    .onConflict(['source', 'dedupe_key'])
    .ignore();
  deps.logger.warn('document from ION refused and kept in the inbox', { errorCode: input.error.code, error: input.error.message, documentName: input.documentName });
}
