import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { runWithContext } from '../../observability/context';
import type { Logger } from '../../observability/logger';
import type { JobMeta } from '../../pipeline/job-queue';
import { getInbox, markInbox, type InboxJob } from '../../pipeline/inbox';
import { BodError, buildBod, decodeBod, newEnvelope, parseBodEnvelope, type BodEnvelope } from '../bod';
import type { IonClient } from './ion-client';

/** The gateway's own queue for documents from ION that no flow takes (ConfirmBODs, unknown nouns). */
export const ION_INBOUND_QUEUE = 'ion-inbound';

/** What the IMS endpoint stores in `inbox.payload` for a BOD from ION. */
export interface IonInboxPayload {
  xml: string;
  /** the IMS ParameterRequest as received */
  parameters: Record<string, unknown>;
  tenantId?: string;
  /** set when the IMS endpoint refused the document (card data): answered with a ConfirmBOD, nothing else */
  refused?: { code: string; message: string };
}

/** A ConfirmBOD's BODID derived from the original's, so a retried rejection is the same document. */
export function confirmBodIdFor(originalBodId: string): string {
  const h = createHash('sha256').update(`confirm:${originalBodId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Answer a document with a ConfirmBOD — unless its sender asked for none, or it is itself a
 * ConfirmBOD (answering one loops). A failed send is transient: the job retries, and the same
 * ConfirmBOD (same BODID) goes again.
 */
export async function sendConfirmBod(
  deps: { ion?: IonClient; componentId: string; logger: Logger },
  original: BodEnvelope,
  outcome: 'Accepted' | 'Rejected',
  messages: Array<{ description: string; type: string; reasonCode?: string }>,
): Promise<void> {
  if (original.verb === 'Confirm') return;
  if (original.sender.confirmationCode === 'Never' || (outcome === 'Accepted' && original.sender.confirmationCode !== 'Always')) return;
  if (!deps.ion) {
    deps.logger.warn('no ION client configured: ConfirmBOD not sent', { bodId: original.bodId });
    return;
  }
  const envelope = newEnvelope({ verb: 'Confirm', noun: 'BOD', logicalId: deps.ion.fromLogicalId, componentId: deps.componentId, tenantId: original.tenantId, accountingEntityId: original.accountingEntityId, locationId: original.locationId });
  envelope.bodId = confirmBodIdFor(original.bodId);
  const xml = buildBod(envelope, {
    original: { logicalId: original.sender.logicalId, componentId: original.sender.componentId, creationDateTime: original.creationDateTime, bodId: original.bodId },
    outcome,
    messages,
  });
  await deps.ion.sendBod({ documentName: 'Confirm.BOD', xml, messageId: envelope.bodId, accountingEntity: original.accountingEntityId, documentId: original.bodId });
}

export interface SystemWorkerDeps {
  db: Knex;
  logger: Logger;
  ion?: IonClient;
  componentId: string;
  maxDepth: number;
  maxBytes: number;
}

/**
 * Documents no flow takes: ION's ConfirmBODs answering ours are recorded; anything else is
 * rejected back to ION with a ConfirmBOD naming the reason, and kept in the inbox as `rejected`.
 */
export function ionSystemWorker(deps: SystemWorkerDeps) {
  return async ({ inboxId }: InboxJob, _meta: JobMeta): Promise<void> => {
    const row = await getInbox(deps.db, inboxId);
    if (!row) throw new AppError(`inbox row ${inboxId} does not exist`, { code: 'INBOX_MISSING', errorClass: 'bug' });
    if (row.status === 'done' || row.status === 'rejected') return;
    const payload = row.payload as IonInboxPayload;
    await runWithContext({ correlationId: row.correlation_id, inboxId: row.id, kind: row.kind }, async () => {
      let envelope: BodEnvelope | undefined;
      try {
        const raw = parseBodEnvelope(payload.xml, { maxBytes: deps.maxBytes, maxDepth: deps.maxDepth });
        envelope = raw.envelope;
        if (payload.refused) {
          await sendConfirmBod(deps, envelope, 'Rejected', [{ description: payload.refused.message, type: 'Error', reasonCode: payload.refused.code }]);
          await markInbox(deps.db, row.id, 'rejected', { code: payload.refused.code, message: payload.refused.message });
          return;
        }
        const bod = decodeBod(raw);
        if (bod.envelope.noun === 'BOD') {
          const confirm = bod.model as { outcome: string; original: { bodId: string }; messages: Array<{ reasonCode?: string; description: string }> };
          deps.logger.log(confirm.outcome === 'Rejected' ? 'warn' : 'info', 'ConfirmBOD from ION', {
            outcome: confirm.outcome,
            originalBodId: confirm.original.bodId,
            reasons: confirm.messages.map((m) => `${m.reasonCode ?? ''} ${m.description}`.trim()),
          });
          await markInbox(deps.db, row.id, 'done');
          return;
        }
        throw new BodError('BOD_UNKNOWN_NOUN', `no published flow takes ${bod.documentName}`, { documentName: bod.documentName });
      } catch (err) {
        if (!(err instanceof BodError)) throw err;
        deps.logger.warn('BOD rejected', { errorCode: err.code, error: err.message, bodId: envelope?.bodId });
        if (envelope) await sendConfirmBod(deps, envelope, 'Rejected', [{ description: err.message, type: 'Error', reasonCode: err.code }]);
        await markInbox(deps.db, row.id, 'rejected', { code: err.code, message: err.message });
      }
    });
  };
}
