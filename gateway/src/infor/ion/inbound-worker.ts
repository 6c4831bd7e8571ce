import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError, errorClassOf } from '../../errors';
import { runWithContext } from '../../observability/context';
import type { Logger } from '../../observability/logger';
import type { JobMeta } from '../../pipeline/job-queue';
import { getInbox, markInbox, type InboxJob } from '../../pipeline/inbox';
import { BodError, buildBod, decodeBod, newEnvelope, parseBodEnvelope, type AnyBod, type BodEnvelope, type RawBod } from '../bod';
import type { BodHandlers } from './bod-handlers';
import type { IonClient } from './ion-client';

export const ION_INBOUND_QUEUE = 'ion-inbound';

/** What the IMS endpoint stores in `inbox.payload` for a BOD from ION. */
export interface IonInboxPayload {
  xml: string;
  /** the IMS ParameterRequest as received */
  parameters: Record<string, unknown>;
  tenantId?: string;
}

export interface InboundWorkerDeps {
  db: Knex;
  logger: Logger;
  handlers: BodHandlers;
  /** to send ConfirmBODs; without it a rejection is only recorded */
  ion?: IonClient;
  componentId: string;
  maxDepth: number;
  maxBytes: number;
}

/** A ConfirmBOD's BODID derived from the original's, so a retried rejection is the same document. */
export function confirmBodIdFor(originalBodId: string): string {
  const h = createHash('sha256').update(`confirm:${originalBodId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The `ion-inbound` job: decode the stored BOD, run the handler registered for its
 * `Verb.Noun`. An unknown noun, an undecodable noun or a handler's business error rejects
 * the document: a ConfirmBOD goes back to ION (unless the sender asked for none) and the
 * inbox row is marked `rejected`. Transient errors retry; configuration errors and bugs park
 * the job as a dead letter.
 */
export function ionInboundWorker(deps: InboundWorkerDeps) {
  return async ({ inboxId }: InboxJob, meta: JobMeta): Promise<void> => {
    const row = await getInbox(deps.db, inboxId);
    if (!row) throw new AppError(`inbox row ${inboxId} does not exist`, { code: 'INBOX_MISSING', errorClass: 'bug' });
    if (row.status === 'done' || row.status === 'rejected') return;
    const payload = row.payload as IonInboxPayload;

    await runWithContext({ correlationId: row.correlation_id, inboxId: row.id, kind: row.kind }, async () => {
      await markInbox(deps.db, row.id, 'processing');
      let raw: RawBod | undefined;
      let bod: AnyBod;
      try {
        raw = parseBodEnvelope(payload.xml, { maxBytes: deps.maxBytes, maxDepth: deps.maxDepth });
        bod = decodeBod(raw);
      } catch (err) {
        if (err instanceof BodError) return reject(raw?.envelope, err);
        throw err;
      }
      const handler = deps.handlers.get(bod.documentName);
      if (!handler && bod.envelope.noun === 'BOD') {
        // ION's answer to a BOD we sent: record it. Never answer a ConfirmBOD with one (that loops).
        const confirm = bod.model as { outcome: string; original: { bodId: string }; messages: Array<{ reasonCode?: string; description: string }> };
        deps.logger.log(confirm.outcome === 'Rejected' ? 'warn' : 'info', 'ConfirmBOD from ION', {
          outcome: confirm.outcome,
          originalBodId: confirm.original.bodId,
          reasons: confirm.messages.map((m) => `${m.reasonCode ?? ''} ${m.description}`.trim()),
        });
        await markInbox(deps.db, row.id, 'done');
        return;
      }
      if (!handler) {
        return reject(bod.envelope, new BodError('BOD_UNKNOWN_NOUN', `no handler for ${bod.documentName} is configured in the gateway`, { documentName: bod.documentName }));
      }
      try {
        await handler(bod, { inboxId: row.id, correlationId: row.correlation_id, attempt: meta.attempt });
      } catch (err) {
        const classified = errorClassOf(err);
        if (classified.errorClass === 'business') return reject(bod.envelope, err instanceof AppError ? err : new AppError(classified.message, { code: classified.code, errorClass: 'business' }));
        const final = classified.errorClass !== 'transient' || meta.attempt >= meta.maxAttempts;
        if (final) await markInbox(deps.db, row.id, 'dead', { code: classified.code, message: classified.message });
        throw err;
      }
      if (bod.envelope.sender.confirmationCode === 'Always') await sendConfirm(bod.envelope, 'Accepted', []);
      await markInbox(deps.db, row.id, 'done');
    });

    async function reject(envelope: BodEnvelope | undefined, error: AppError): Promise<void> {
      deps.logger.warn('BOD rejected', { errorCode: error.code, error: error.message, bodId: envelope?.bodId });
      if (envelope && envelope.sender.confirmationCode !== 'Never' && envelope.verb !== 'Confirm') {
        // a failed send is transient: the job retries and the same ConfirmBOD (same BODID) goes again
        await sendConfirm(envelope, 'Rejected', [{ description: error.message, type: 'Error', reasonCode: error.code }]);
      }
      await markInbox(deps.db, row!.id, 'rejected', { code: error.code, message: error.message });
    }

    async function sendConfirm(original: BodEnvelope, outcome: 'Accepted' | 'Rejected', messages: Array<{ description: string; type: string; reasonCode?: string }>): Promise<void> {
      if (!deps.ion) {
        deps.logger.warn('no ION client configured: ConfirmBOD not sent', { bodId: original.bodId });
        return;
      }
      const envelope = newEnvelope({
        verb: 'Confirm',
        noun: 'BOD',
        logicalId: deps.ion.fromLogicalId,
        componentId: deps.componentId,
        tenantId: original.tenantId,
        accountingEntityId: original.accountingEntityId,
        locationId: original.locationId,
      });
      envelope.bodId = confirmBodIdFor(original.bodId);
      const xml = buildBod(envelope, {
        original: { logicalId: original.sender.logicalId, componentId: original.sender.componentId, creationDateTime: original.creationDateTime, bodId: original.bodId },
        outcome,
        messages,
      });
      await deps.ion.sendBod({ documentName: 'Confirm.BOD', xml, messageId: envelope.bodId, accountingEntity: original.accountingEntityId, documentId: original.bodId });
    }
  };
}
