import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { ImsMessage, InforState, OutboxDocument } from '../state';
import { M3_LOGICAL_ID } from './bods';

export interface ImsTarget {
  /** the application's IMS base; ION calls {url}/service/ping, /service/protocol, /service/v2/multipartMessage */
  url: string;
  tenantId: string;
}

export interface HubOptions {
  tenant: string;
  /** logical ids of the "IMS via ION API" connection points allowed to send (fromLogicalId) */
  acceptedLogicalIds: string[];
  /** documents those connection points accept (GET …/v3/{logicalId}/acceptedDocuments) */
  acceptedDocuments: string[];
  /** an Infor OS access token ION sends with each push */
  mintToken: () => Promise<string>;
  state: () => InforState;
}

/**
 * An ION document name. BODs are `Verb.Noun` (Sync.Invoice), but ION carries other documents too and
 * names them freely — Data Lake payloads, JSON and delimited objects of the Data Catalog (M3_OCUSMA,
 * CustomerData_CSV, …) — so any name of letters, digits, `_`, `.` and `-` is taken. Spaces, slashes,
 * control characters and empty names are refused.
 */
export const ION_DOCUMENT_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,254}$/;
const PUSH_TIMEOUT_MS = 10_000;

async function partText(form: FormData, name: string): Promise<string | undefined> {
  const part = form.get(name);
  if (part === null) return undefined;
  return typeof part === 'string' ? part : await part.text();
}

/**
 * ION Messaging Service: accepts BODs from the gateway (IMS over ION API) and keeps them;
 * pushes BODs to the gateway's IMS endpoints in order, keeping each until it is delivered.
 */
export class IonHub {
  target?: ImsTarget;
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: HubOptions) {}

  get outbox(): OutboxDocument[] {
    return this.options.state().outbox;
  }

  setTarget(target: ImsTarget | undefined): void {
    this.target = target;
    // a newly activated connection gets what was waiting for it; failed ones wait for redeliver
    if (target) for (const doc of this.outbox.filter((d) => d.status === 'pending')) this.#schedule(doc);
  }

  /** queue a document for the gateway and try to deliver it (in order, in the background) */
  publish(documentName: string, xml: string, accountingEntity: string, documentId: string): OutboxDocument {
    const doc: OutboxDocument = {
      id: randomUUID(), documentName, accountingEntity, documentId, xml, status: 'pending', attempts: 0, createdAt: new Date().toISOString(),
    };
    this.outbox.push(doc);
    if (this.target) this.#schedule(doc);
    return doc;
  }

  /** try every undelivered document again, in order; resolves when all attempts are done */
  async redeliver(): Promise<{ delivered: number; failed: number; pending: number }> {
    for (const doc of this.outbox.filter((d) => d.status !== 'delivered')) this.#schedule(doc);
    await this.idle();
    const count = (status: OutboxDocument['status']) => this.outbox.filter((d) => d.status === status).length;
    return { delivered: count('delivered'), failed: count('failed'), pending: count('pending') };
  }

  /** resolves when no delivery is in flight */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.#chain;
      await current;
    } while (current !== this.#chain);
  }

  /** ION Desk's connection-point "Test": ping and protocol of the target */
  async testConnection(): Promise<Record<string, unknown>> {
    if (!this.target) return { ok: false, error: 'no target configured' };
    const results: Record<string, unknown> = {};
    let ok = true;
    for (const path of ['/service/ping', '/service/protocol']) {
      try {
        const res = await fetch(`${this.target.url}${path}`, { headers: await this.#headers(), signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
        const text = await res.text();
        results[path] = { status: res.status, body: text };
        ok &&= res.ok;
      } catch (error) {
        ok = false;
        results[path] = { error: (error as Error).message };
      }
    }
    return { ok, ...results };
  }

  #schedule(doc: OutboxDocument): void {
    this.#chain = this.#chain.then(() => this.#deliver(doc));
  }

  async #headers(): Promise<Record<string, string>> {
    return { 'X-TenantId': this.target?.tenantId ?? this.options.tenant, Authorization: `Bearer ${await this.options.mintToken()}` };
  }

  async #deliver(doc: OutboxDocument): Promise<void> {
    if (doc.status === 'delivered') return;
    if (!this.target) {
      doc.lastError = 'no target configured';
      return;
    }
    doc.attempts += 1;
    const form = new FormData();
    const parameters = {
      documentName: doc.documentName,
      messageId: doc.id,
      fromLogicalId: M3_LOGICAL_ID,
      toLogicalId: 'lid://default',
      encoding: 'NONE',
      characterSet: 'UTF-8',
      accountingEntity: doc.accountingEntity,
      documentId: doc.documentId,
      variationId: 1,
      instances: 1,
    };
    form.append('ParameterRequest', new Blob([JSON.stringify(parameters)], { type: 'application/json' }), 'ParameterRequest.json');
    form.append('MessagePayload', new Blob([doc.xml], { type: 'application/octet-stream' }), 'MessagePayload.xml');
    try {
      const res = await fetch(`${this.target.url}/service/v2/multipartMessage`, {
        method: 'POST', body: form, headers: await this.#headers(), signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.ok) {
        doc.status = 'delivered';
        doc.deliveredAt = new Date().toISOString();
        delete doc.lastError;
      } else {
        doc.status = 'failed';
        doc.lastError = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      }
    } catch (error) {
      doc.status = 'failed';
      doc.lastError = (error as Error).message;
    }
  }

  /** the IMS REST API under {url}/{TENANT}/IONSERVICES/api/ion/messaging/service */
  inboundRoutes(): Router {
    const router = express.Router();
    router.get('/ping', (_req, res) => {
      res.status(200).json({ status: 'OK' });
    });
    router.get('/versions', (_req, res) => {
      res.json(['v2', 'v3']);
    });
    router.get('/v3/:logicalId/acceptedDocuments', (req: Request, res: Response) => {
      if (!this.options.acceptedLogicalIds.includes(String(req.params.logicalId))) {
        res.status(412).json({ error: `Connection point ${String(req.params.logicalId)} is not active or not entitled` });
        return;
      }
      res.json(this.options.acceptedDocuments.map((documentName) => ({ documentName })));
    });
    const receive = (version: 'v2' | 'v3') => async (req: Request, res: Response) => {
      const contentType = req.get('content-type') ?? '';
      if (!contentType.startsWith('multipart/form-data')) {
        res.status(400).json({ error: 'Content-Type must be multipart/form-data' });
        return;
      }
      let form: FormData;
      try {
        const bytes = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
        form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
      } catch {
        res.status(400).json({ error: 'The multipart body cannot be parsed' });
        return;
      }
      const parameterText = await partText(form, 'ParameterRequest');
      const payload = await partText(form, 'MessagePayload');
      if (parameterText === undefined) return void res.status(400).json({ error: 'Part ParameterRequest is missing' });
      if (payload === undefined) return void res.status(400).json({ error: 'Part MessagePayload is missing' });
      let parameters: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(parameterText);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        parameters = parsed as Record<string, unknown>;
      } catch {
        return void res.status(400).json({ error: 'ParameterRequest is not a JSON object' });
      }
      const documentName = typeof parameters.documentName === 'string' ? parameters.documentName : '';
      const fromLogicalId = typeof parameters.fromLogicalId === 'string' ? parameters.fromLogicalId : '';
      if (!ION_DOCUMENT_NAME.test(documentName)) {
        return void res.status(400).json({ error: 'documentName is missing or not an ION document name (letters, digits, _ . -; e.g. Sync.PaymentLink or M3_OCUSMA)' });
      }
      if (!fromLogicalId) return void res.status(400).json({ error: 'fromLogicalId is missing' });
      if (!this.options.acceptedLogicalIds.includes(fromLogicalId)) {
        return void res.status(403).json({ error: `fromLogicalId ${fromLogicalId} does not match the connection point of this client` });
      }
      const message: ImsMessage = {
        id: typeof parameters.messageId === 'string' && parameters.messageId ? parameters.messageId : randomUUID(),
        receivedAt: new Date().toISOString(), parameterRequest: parameters, documentName, fromLogicalId, payload, version,
      };
      this.options.state().inbox.push(message);
      res.status(version === 'v2' ? 201 : 202).end();
    };
    const raw = express.raw({ type: () => true, limit: '10mb' });
    router.post('/v2/multipartMessage', raw, receive('v2'));
    router.post('/v3/multipartMessage', raw, receive('v3'));
    return router;
  }
}
