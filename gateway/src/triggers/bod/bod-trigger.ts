import { type z } from 'zod';
import { AppError } from '../../errors';
import { decodeBod, parseBodEnvelope } from '../../infor/bod';
import { sendConfirmBod, type IonInboxPayload } from '../../infor/ion/inbound-worker';
import type { IonClient } from '../../infor/ion/ion-client';
import type { Logger } from '../../observability/logger';
import type { CompiledFlow, CompiledTrigger } from '../../pipeline/definitions/compile';
import { evaluateMapping, type Bindings } from '../../pipeline/expressions';
import type { InboxRow } from '../../pipeline/inbox';
import { refundRequestSchema } from '../refund-api/request';
import { customerChangeSchema } from '../customer-pull/customer-change';
import { invoiceEventSchema } from '../invoice-links/invoice-event';

const SCHEMAS: Record<string, z.ZodType> = { 'refund-request': refundRequestSchema, 'customer-change': customerChangeSchema, invoice: invoiceEventSchema };

export interface BodTriggerDeps {
  logger: Logger;
  ion?: () => IonClient | undefined;
  componentId: string;
  maxDepth: number;
  maxBytes: number;
}

/** The `bod` trigger of a flow for a document name. */
export function bodTriggerOf(flow: CompiledFlow, documentName: string): CompiledTrigger | undefined {
  return flow.triggers.find((t) => t.type === 'bod' && t.options.document === documentName);
}

/**
 * A stored BOD as the flow's events: one per noun, through the trigger's `event` mapping (JSONata
 * over `{ noun, envelope, settings }`; without one, the decoded noun itself), checked against the
 * trigger's schema. What cannot be read refuses the document (business error → ConfirmBOD).
 */
export async function bodEvents(deps: BodTriggerDeps, row: InboxRow, flow: CompiledFlow, functions: Bindings, settings: unknown): Promise<unknown[]> {
  const payload = row.payload as IonInboxPayload;
  const raw = parseBodEnvelope(payload.xml, { maxBytes: deps.maxBytes, maxDepth: deps.maxDepth });
  const bod = decodeBod(raw);
  const trigger = bodTriggerOf(flow, bod.documentName);
  if (!trigger) throw new AppError(`flow ${flow.id} does not take ${bod.documentName}`, { code: 'BOD_UNKNOWN_NOUN', errorClass: 'business' });
  const schema = trigger.options.schema ? SCHEMAS[String(trigger.options.schema)] : undefined;
  const envelope = bod.envelope;
  const events: unknown[] = [];
  for (const noun of [bod.model, ...bod.more]) {
    const event = trigger.event === undefined ? noun : await evaluateMapping(trigger.event, { noun, envelope, settings }, functions);
    if (schema) {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        throw new AppError(`${bod.documentName} cannot be used: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`, { code: 'BOD_EVENT_INVALID', errorClass: 'business', details: { fieldErrors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) } });
      }
      events.push(parsed.data);
    } else events.push(event);
  }
  return events;
}

/** The aggregate key's input at the door: the first noun's event (a BOD with several nouns of different aggregates has none). */
export async function bodEventAtDoor(deps: BodTriggerDeps, xml: string, flow: CompiledFlow, functions: Bindings, settings: unknown): Promise<unknown> {
  try {
    const events = await bodEvents(deps, { payload: { xml, parameters: {} } } as unknown as InboxRow, flow, functions, settings);
    return events.length === 1 ? events[0] : undefined;
  } catch {
    return undefined; // refused later by the worker, with a ConfirmBOD
  }
}

/** Tell ION its document was refused (or its flow failed for good): a ConfirmBOD naming the reason. */
export async function refuseBod(deps: BodTriggerDeps, row: InboxRow, error: { code: string; message: string }): Promise<void> {
  await confirmBod(deps, row, 'Rejected', [{ description: error.message, type: 'Error', reasonCode: error.code }]);
}

/** Tell ION its document was handled, when its sender asked for that (`ConfirmationCode Always`). */
export async function acceptBod(deps: BodTriggerDeps, row: InboxRow): Promise<void> {
  await confirmBod(deps, row, 'Accepted', []);
}

async function confirmBod(deps: BodTriggerDeps, row: InboxRow, outcome: 'Accepted' | 'Rejected', messages: Array<{ description: string; type: string; reasonCode?: string }>): Promise<void> {
  const payload = row.payload as IonInboxPayload;
  let envelope;
  try {
    envelope = parseBodEnvelope(payload.xml, { maxBytes: deps.maxBytes, maxDepth: deps.maxDepth }).envelope;
  } catch {
    return; // unreadable: nothing to answer to
  }
  await sendConfirmBod({ ion: deps.ion?.(), componentId: deps.componentId, logger: deps.logger }, envelope, outcome, messages);
}
