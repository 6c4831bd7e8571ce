import { z } from 'zod';
import type { TriggerCatalogue, TriggerType } from '../pipeline/definitions/compile';
import { reportOptionsSchema } from './chargeback/report';

/**
 * What can start a flow. Each trigger type names the door it comes through and how a published
 * flow claims it: one flow per trigger (`bod:Sync.Invoice`, `http:ecommerce-webhook`, …), so a
 * document or request is stored once, for the flow that owns it.
 */

/** Event schemas a BOD trigger can require of its mapped event (named, so definitions stay data). */
export const EVENT_SCHEMAS = {
  'refund-request': 'the refund request of POST /api/refunds',
  'customer-change': 'an M3 customer as the vault sync needs it',
  invoice: 'a new M3 invoice as the invoice-links flow needs it',
} as const;

const invoiceSample = { triggerId: 'b6f0…', cono: 100, divi: 'AAA', yea4: 2026, ivno: '200006', cuno: 'C10001', currency: 'USD', totalAmount: '412.50', openAmount: '412.50', creditNote: false, status: 'Open', paymentTerms: 'N30', invoiceDate: '20260105', dueDate: '20260204', orno: null, source: 'ion' };
const CHARGEBACK_SAMPLE = { caseNumber: 'CB2026120501', transactionId: '1000001', amount: '149.90', fee: '15.00', currency: 'USD', stage: 'received', reasonCode: '10.4', reason: 'Fraud - card absent', receivedOn: '2026-12-01', respondBy: '2026-12-15', source: 'api' };

const types: TriggerType[] = [
  {
    type: 'http',
    title: 'HTTP endpoint',
    options: z.object({ endpoint: z.enum(['ecommerce-webhook', 'refund-api', 'chargeback-api']) }).strict(),
    claim: (o) => `http:${String(o.endpoint)}`,
    eventSample: (o) =>
      o.endpoint === 'chargeback-api'
        ? CHARGEBACK_SAMPLE
        : o.endpoint === 'refund-api'
        ? { refundId: 'RF-1001', originalTransactionId: '1000001', amount: '25.00', currency: 'USD', reason: 'returned goods', requestedBy: 'jdoe' }
        : {
            type: 'order.paid',
            data: {
              orderId: 'WEB-1001',
              paytraceTransactionId: '1000001',
              amount: '149.90',
              currency: 'USD',
              customer: { storefrontId: 'shop-42', name: 'Ada Lovelace', email: 'ada@example.com', address: { lines: ['12 Analytical Way'], city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' } },
              lines: [{ sku: 'WIDGET-1', quantity: '2', unitPrice: '74.95' }],
            },
          },
  },
  {
    type: 'bod',
    title: 'BOD from ION',
    options: z
      .object({
        document: z.string().regex(/^[A-Z][A-Za-z]+\.[A-Za-z][A-Za-z0-9]+$/, 'a document name Verb.Noun such as Sync.Invoice'),
        /** the event the mapping must produce, checked before the run starts (refused with a ConfirmBOD otherwise) */
        schema: z.enum(Object.keys(EVENT_SCHEMAS) as [keyof typeof EVENT_SCHEMAS]).optional(),
      })
      .strict(),
    claim: (o) => `bod:${String(o.document)}`,
    eventSample: () => ({ noun: {}, envelope: { bodId: '…', verb: 'Process', noun: '…', sender: { logicalId: 'lid://infor.m3.m3' } } }),
  },
  {
    type: 'pay-page',
    title: 'Pay page',
    options: z.object({ on: z.enum(['charged', 'declined']) }).strict(),
    claim: (o) => `pay-page:${String(o.on)}`,
    eventSample: (o) => ({ paymentId: '00000000-0000-4000-8000-000000000000', linkId: 'lnk_…', reference: 'PL-…-1', ...(o.on === 'declined' ? { declineCode: '102', message: 'DECLINE - Do not honor', email: 'ap@example.com', cuno: 'C10001', ivno: '200001' } : {}) }),
  },
  {
    type: 'report',
    title: 'Report file (upload or watched folder)',
    // the columns of the file are a mapping: our field → the report's header
    options: reportOptionsSchema,
    claim: (o) => `report:${String(o.report)}`,
    eventSample: () => ({ ...CHARGEBACK_SAMPLE, source: 'report' }),
  },
  {
    type: 'paytrace-event',
    title: 'PayTrace poller',
    options: z.object({}).strict(),
    claim: () => 'paytrace-event',
    eventSample: () => ({ transaction: { transactionId: 1000001, state: 'settled', statusCode: 'GB', statusMessage: 'Settled', amount: '149.90', batchNumber: 42 }, raw: {}, source: 'batch-export' }),
  },
  {
    type: 'm3-customer-pull',
    title: 'Scheduled M3 customer pull',
    options: z.object({}).strict(),
    claim: () => 'm3-customer-pull',
    eventSample: () => ({ cono: 100, cuno: 'C10001', name: 'Northwind Traders', address: { lines: ['1 Main St'], city: 'Chicago', region: 'IL', postalCode: '60601', country: 'US' }, email: 'ap@northwind.example', source: 'crs610-pull' }),
  },
  {
    type: 'm3-invoice-pull',
    title: 'Scheduled M3 invoice pull',
    options: z.object({}).strict(),
    claim: () => 'm3-invoice-pull',
    eventSample: () => ({ ...invoiceSample, triggerId: 'pull-100-AAA-2026-200006', source: 'ois350-pull' }),
  },
  {
    type: 'invoice-link-reminder',
    title: 'Invoice link reminder (scheduled)',
    options: z.object({}).strict(),
    claim: () => 'invoice-link-reminder',
    eventSample: () => ({ reminderId: '1', kind: 'after_due', days: 1, cono: 100, divi: 'AAA', yea4: 2026, ivno: '200006', cuno: 'C10001', email: 'ap@acme.example' }),
  },
];

export function triggerCatalogue(): TriggerCatalogue {
  const byType = new Map(types.map((t) => [t.type, t]));
  return { get: (type) => byType.get(type), list: () => [...types] };
}
