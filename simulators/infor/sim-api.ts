import express, { type Request, type Response, type Router } from 'express';
import { formatCents, parseCents } from './money';
import { ION_DOCUMENT_NAME, type IonHub } from './ion/hub';
import type { M3Events } from './m3/engine';
import type { M3Settings } from './m3/rest-api';
import type { Authority, OsSettings } from './os/authority';
import { openCents, today, type InforState, type Invoice } from './state';

interface SimApiDeps {
  state: () => InforState;
  hub: IonHub;
  events: M3Events;
  os: () => Authority;
  m3Settings: () => M3Settings;
  setM3Settings: (settings: M3Settings) => void;
  tenant: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

function addDays(yyyymmdd: string, days: number): string {
  const d = new Date(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

function invoiceView(inv: Invoice): Record<string, unknown> {
  return { ...inv, amount: formatCents(inv.amountCents), paid: formatCents(inv.paidCents), open: formatCents(openCents(inv)) };
}

/** the Infor simulator's own /_sim endpoints (the shared kit adds state, calls, faults, reset) */
export function simApiRoutes(deps: SimApiDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '5mb' }));

  router.get('/infor-os', (_req, res) => {
    res.json(deps.os().settings);
  });
  router.put('/infor-os', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next: OsSettings = { ...deps.os().settings };
    for (const key of ['tokenLifetimeSeconds', 'refreshTokenLifetimeSeconds'] as const) {
      if (body[key] === undefined) continue;
      if (typeof body[key] !== 'number' || !Number.isInteger(body[key]) || body[key] < 0) {
        return void res.status(400).json({ error: `${key} must be a whole number of seconds >= 0` });
      }
      next[key] = body[key];
    }
    for (const key of ['refreshTokens', 'clientCredentials'] as const) {
      if (body[key] === undefined) continue;
      if (typeof body[key] !== 'boolean') return void res.status(400).json({ error: `${key} must be true or false` });
      next[key] = body[key];
    }
    const unknown = Object.keys(body).filter((k) => !(k in next));
    if (unknown.length) return void res.status(400).json({ error: `unknown setting ${unknown.join(', ')}` });
    deps.os().settings = next;
    res.json(next);
  });

  router.get('/m3', (_req, res) => {
    res.json(deps.m3Settings());
  });
  router.put('/m3', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = { ...deps.m3Settings() };
    if (body.v2ErrorStatus !== undefined) {
      if (body.v2ErrorStatus !== 400 && body.v2ErrorStatus !== 200) return void res.status(400).json({ error: 'v2ErrorStatus must be 400 or 200' });
      next.v2ErrorStatus = body.v2ErrorStatus;
    }
    if (body.defaultMaxrecs !== undefined) {
      if (typeof body.defaultMaxrecs !== 'number' || !Number.isInteger(body.defaultMaxrecs) || body.defaultMaxrecs < 0) {
        return void res.status(400).json({ error: 'defaultMaxrecs must be a whole number >= 0' });
      }
      next.defaultMaxrecs = body.defaultMaxrecs;
    }
    deps.setM3Settings(next);
    res.json(next);
  });

  // the tenant's setup the doctor checks: GLS850 interfaces, customer templates, MI authority
  router.get('/m3/setup', (_req, res) => {
    res.json(deps.state().m3.setup);
  });
  router.put('/m3/setup', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const setup = deps.state().m3.setup;
    for (const key of ['glInterfaces', 'customerTemplates', 'deniedPrograms'] as const) {
      if (body[key] === undefined) continue;
      const value = body[key];
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^[A-Z0-9_]{1,15}$/i.test(v))) return void res.status(400).json({ error: `${key} must be a list of M3 names` });
      setup[key] = value.map((v: string) => v.toUpperCase());
    }
    res.json(setup);
  });

  router.get('/m3/counts', (req: Request, res: Response) => {
    const m3 = deps.state().m3;
    const cuor = str(req.query.cuor);
    const cino = str(req.query.cino);
    const key1 = str(req.query.key1);
    const irno = str(req.query.irno);
    res.json({
      ordersWithCuor: cuor === undefined ? null : [...m3.orders.values()].filter((o) => o.cuor === cuor).length,
      batchOrdersWithCuor: cuor === undefined ? null : [...m3.batchOrders.values()].filter((o) => o.fields.CUOR === cuor).length,
      receiptsForInvoice: cino === undefined ? null : m3.receipts.filter((r) => r.cino === cino).length,
      receiptsWithIrno: irno === undefined ? null : m3.receipts.filter((r) => r.irno === irno).length,
      glBatchesWithKey1: key1 === undefined ? null : [...m3.glBatches.values()].filter((b) => b.key1 === key1).length,
    });
  });

  router.get('/m3/invoices', (_req, res) => {
    res.json(deps.state().m3.invoices.map(invoiceView));
  });

  router.post('/m3/invoices', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const m3 = deps.state().m3;
    const customer = m3.customers.get(str(body.cuno) ?? '');
    if (!customer) return void res.status(400).json({ error: 'cuno must be an existing customer number' });
    const amount = parseCents(typeof body.amount === 'string' ? body.amount : '');
    // a negative amount makes a credit note (M3 keeps it as an invoice with a negative amount)
    if (amount === null || amount === 0) return void res.status(400).json({ error: 'amount must be a decimal string ≠ 0 with at most 2 decimals, e.g. "125.00" (negative: a credit note)' });
    const divi = str(body.divi) ?? customer.divi;
    const division = m3.divisions[divi];
    if (!division) return void res.status(400).json({ error: `division ${divi} does not exist` });
    const cucd = str(body.currency) ?? customer.fields.CUCD;
    let arat = '1';
    if (cucd !== division.localCurrency) {
      const rate = m3.rates.filter((r) => r.cucd === cucd && r.crtp === 1).sort((a, b) => b.cutd.localeCompare(a.cutd))[0];
      if (!rate) return void res.status(400).json({ error: `no exchange rate for ${cucd}` });
      arat = rate.arat;
    }
    const orno = str(body.orno) ?? '';
    if (orno && !m3.orders.has(orno)) return void res.status(400).json({ error: `order ${orno} does not exist` });
    const ivno = body.ivno === undefined ? m3.counters.invoice + 1 : Number(body.ivno);
    if (!Number.isInteger(ivno) || ivno <= 0 || ivno > 999_999_999) return void res.status(400).json({ error: 'ivno must be a whole number of at most 9 digits' });
    const yea4 = new Date().getUTCFullYear();
    if (m3.invoices.some((i) => i.ivno === ivno && i.yea4 === yea4 && i.divi === divi)) return void res.status(409).json({ error: `invoice ${ivno} exists` });
    m3.counters.invoice = Math.max(m3.counters.invoice, ivno);
    m3.counters.voucher += 1;
    m3.counters.journal += 1;
    const ivdt = str(body.ivdt) ?? today();
    if (!/^\d{8}$/.test(ivdt)) return void res.status(400).json({ error: 'ivdt must be yyyyMMdd' });
    const invoice: Invoice = {
      divi, yea4, ivno, cuno: customer.cuno, pyno: customer.fields.PYNO ?? customer.cuno, cucd, amountCents: amount, paidCents: 0,
      ivdt, dudt: str(body.dudt) ?? addDays(ivdt, 30), orno, tepy: customer.fields.TEPY ?? 'N30', pycd: customer.fields.PYCD ?? 'CC',
      vono: m3.counters.voucher, jrno: m3.counters.journal, jsno: 1, arat,
    };
    if (orno) {
      const order = m3.orders.get(orno);
      if (order) order.status = '77';
    }
    m3.invoices.push(invoice);
    deps.events.invoiceCreated(invoice);
    res.status(201).json(invoiceView(invoice));
  });

  router.get('/ion/messages', (_req, res) => {
    res.json({ messages: deps.state().inbox });
  });
  router.get('/ion/outbox', (_req, res) => {
    res.json({ documents: deps.state().outbox });
  });
  router.get('/ion/target', (_req, res) => {
    res.json(deps.hub.target ?? null);
  });
  router.put('/ion/target', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.url === null) {
      deps.hub.setTarget(undefined);
      return void res.json(null);
    }
    const url = str(body.url);
    try {
      if (!url || !['http:', 'https:'].includes(new URL(url).protocol)) throw new Error('bad');
    } catch {
      return void res.status(400).json({ error: 'url must be an http(s) URL, e.g. http://127.0.0.1:8080/ims' });
    }
    deps.hub.setTarget({ url: url.replace(/\/$/, ''), tenantId: str(body.tenantId) ?? deps.tenant });
    res.json(deps.hub.target);
  });
  router.post('/ion/test-connection', async (_req, res) => {
    res.json(await deps.hub.testConnection());
  });
  router.post('/ion/push', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const documentName = str(body.documentName);
    const xml = str(body.xml);
    if (!documentName || !ION_DOCUMENT_NAME.test(documentName)) {
      return void res.status(400).json({ error: 'documentName is missing or not an ION document name (letters, digits, _ . -; e.g. Sync.Invoice)' });
    }
    if (!xml) return void res.status(400).json({ error: 'xml is required' });
    const doc = deps.hub.publish(documentName, xml, str(body.accountingEntity) ?? `${deps.state().m3.cono}_AAA`, str(body.documentId) ?? '');
    await deps.hub.idle();
    res.status(202).json(doc);
  });
  router.post('/ion/redeliver', async (_req, res) => {
    res.json(await deps.hub.redeliver());
  });
  return router;
}
