import { z } from 'zod';

/**
 * The language of flow definitions (mappings/flows/<flow>.yaml). A definition names its triggers,
 * its aggregate key, and its steps in order, with branches and an error policy per step. Step
 * inputs are field mappings: JSONata expressions over the run document
 *
 *   { event, trigger, settings, scope, payment, steps: { <step id>: <its output> } }
 *
 * The runner — not the definition — owns intent keys, ledger status changes, error recording and
 * trace names. See docs/flows.md.
 */

export const FLOW_DEFINITION_VERSION = 1;

/** A JSONata expression, written as a YAML string. */
const expression = z.string().min(1, 'an expression must not be empty');

/** A field mapping: an expression, a literal number/boolean/null, or an object of mappings. */
export type RawMapping = string | number | boolean | null | { [key: string]: RawMapping };
const mapping: z.ZodType<RawMapping> = z.lazy(() => z.union([expression, z.number(), z.boolean(), z.null(), z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'field names are letters, digits and _'), mapping)]));

const stepId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'step ids are lowercase letters, digits and -, starting with a letter (at most 40)');

/** What the runner does when a step fails (transient errors: retry; business and configuration errors: this policy). */
export const errorPolicySchema = z
  .object({
    /** `transient` (default): timeouts and outages retry with backoff; `never`: the first failure parks the run */
    retry: z.enum(['transient', 'never']).default('transient'),
    /** park a failed run as a dead letter for an operator (default); false: record it as failed and end */
    deadLetter: z.boolean().default(true),
    /** steps (from `compensations`) run, in order, when this step fails with a business error */
    compensate: z.array(stepId).default([]),
  })
  .strict();
export type ErrorPolicy = z.output<typeof errorPolicySchema>;

/** Columns of the payments ledger a step may record (never card data: there is no column for it). */
export const LEDGER_FIELDS = [
  'cono', 'divi', 'cuno', 'orno', 'ivno', 'yea4', 'gl_batch_key', 'gl_voucher', 'receipt_ref', 'paytrace_transaction_id', 'paytrace_customer_id',
  'paytrace_batch', 'settlement_state', 'ledger_state', 'storefront_order_id', 'amount', 'currency', 'local_amount', 'local_currency', 'exchange_rate', 'parent_payment_id',
] as const;

const ledgerEffect = z
  .object({
    /** the payment's new status after the step: a word (`verified`), or an expression giving one */
    status: z.string().min(1).max(500).optional(),
    /** ledger columns to record from the step's output */
    record: z.partialRecord(z.enum(LEDGER_FIELDS), mapping).optional(),
    /** a history row even without a status change (e.g. a parent payment touched by a refund) */
    event: z.boolean().optional(),
  })
  .strict();

export interface RawStep {
  id: string;
  type: string;
  name?: string;
  description?: string;
  when?: string;
  config?: Record<string, unknown>;
  input?: Record<string, RawMapping>;
  ledger?: z.input<typeof ledgerEffect>;
  onError?: z.input<typeof errorPolicySchema>;
  branches?: Array<{ name: string; when: string; steps: RawStep[] }>;
  otherwise?: RawStep[];
}

export const stepSchema: z.ZodType<RawStep> = z.lazy(() =>
  z
    .object({
      id: stepId,
      /** a type of the step catalogue, e.g. m3.create-order (`npm run flows -- show`) */
      type: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$|^branch$|^map$/, 'a step type such as m3.create-order'),
      /** what the step is called in the trace and the builder */
      name: z.string().max(80).optional(),
      description: z.string().max(2000).optional(),
      /** run only when this expression is true */
      when: expression.optional(),
      /** static settings of the step type (e.g. the program and transaction of m3.call) */
      config: z.record(z.string(), z.unknown()).optional(),
      input: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'input names are letters, digits and _'), mapping).optional(),
      ledger: ledgerEffect.optional(),
      onError: errorPolicySchema.optional(),
      /** type branch: the first branch whose condition holds runs; otherwise `otherwise` */
      branches: z.array(z.object({ name: z.string().min(1).max(80), when: expression, steps: z.array(stepSchema) }).strict()).optional(),
      otherwise: z.array(stepSchema).optional(),
    })
    .strict()
    .superRefine((step, ctx) => {
      const isBranch = step.type === 'branch';
      if (isBranch && !step.branches?.length) ctx.addIssue({ code: 'custom', path: ['branches'], message: 'a branch step needs at least one branch' });
      if (!isBranch && (step.branches || step.otherwise)) ctx.addIssue({ code: 'custom', path: [step.branches ? 'branches' : 'otherwise'], message: 'only a step of type branch has branches' });
      if (isBranch && (step.input || step.config || step.ledger)) ctx.addIssue({ code: 'custom', path: ['type'], message: 'a branch step has no input, config or ledger of its own: put them on the steps inside' });
    }),
);

/** Trigger options are checked by the trigger type itself (gateway/src/triggers). */
export const triggerSchema = z
  .object({
    type: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** for triggers that carry a document (a BOD), how it becomes the flow's `event` */
    event: mapping.optional(),
  })
  .catchall(z.unknown());
export type RawTrigger = z.output<typeof triggerSchema>;

export const flowDefinitionSchema = z
  .object({
    version: z.literal(FLOW_DEFINITION_VERSION),
    /** the flow's id: also its queue name and the name in the trace */
    id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'flow ids are lowercase letters, digits and -'),
    name: z.string().min(1).max(80),
    description: z.string().max(4000).optional(),
    triggers: z.array(triggerSchema).min(1),
    /** events with the same key (an order, an invoice, a customer) run one at a time, in arrival order */
    aggregateKey: expression.optional(),
    /** for flows without a payment: the key their intents are stored under (a payment's id otherwise) */
    runKey: expression.optional(),
    /** M3 company and division of the run (default: the trigger's, else flows.company/division) */
    scope: z.object({ company: expression.optional(), division: expression.optional() }).strict().optional(),
    /** jobs of this flow one gateway runs at once (default flows.concurrency) */
    concurrency: z.number().int().min(1).max(256).optional(),
    /** status of the payment when the run ends well */
    completeStatus: z.string().regex(/^[a-z_]{1,40}$/).default('completed'),
    onError: errorPolicySchema.optional(),
    steps: z.array(stepSchema).min(1),
    /** steps that undo an effect, run by `onError.compensate` */
    compensations: z.array(stepSchema).optional(),
  })
  .strict();

export type FlowDefinition = z.output<typeof flowDefinitionSchema>;
export type FlowDefinitionInput = z.input<typeof flowDefinitionSchema>;
