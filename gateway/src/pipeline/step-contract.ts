import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Rules } from '../domain/rules-loader';
import type { Logger } from '../observability/logger';

/**
 * The contract between the flow runner and the step catalogue (gateway/src/steps). The runner
 * knows no connector: a step type brings its own client, and the runner only knows how the step
 * is made exactly-once, which system it touches, and its input schema.
 */

/**
 * How a step's effect happens once, however often the step runs (retries, replays, crashes):
 * - read-only:            no effect at all; runs again freely
 * - read-before-write:    execute() first reads the other system for the effect of an earlier
 *                         attempt (by a reference we wrote, e.g. CUOR, IRNO, KEY1) and only writes
 *                         what is missing
 * - lookup:               after an unknown outcome, lookup() searches for the effect; the step
 *                         executes again only when the lookup proves it did not happen
 * - provider-idempotency: the other system deduplicates (a stable BODID, event id, outbox key)
 * - local:                a write to our own database, inside the run's own transaction
 * - at-least-once:        none of the above: a lost answer may repeat the effect; the validator
 *                         says so on every step that has it
 */
export type ExactlyOnce = 'read-only' | 'read-before-write' | 'lookup' | 'provider-idempotency' | 'local' | 'at-least-once';

export const EXACTLY_ONCE_EXPLAINED: Record<ExactlyOnce, string> = {
  'read-only': 'no side effect: repeated freely',
  'read-before-write': 'reads the other system for an earlier attempt (by the reference it writes) before it writes',
  lookup: 'after an unknown outcome, looks the effect up and executes again only when it did not happen',
  'provider-idempotency': 'the other system deduplicates by a stable id',
  local: 'a write to the gateway database inside the run transaction',
  'at-least-once': 'no lookup: a lost answer may repeat the effect',
};

export type StepSystem = 'paytrace' | 'm3' | 'ion' | 'webhook' | 'email' | 'gateway' | 'none';

export type StepCategory = 'paytrace' | 'm3' | 'gl' | 'ion' | 'notify' | 'ledger' | 'logic';

/** The M3 transaction a step calls and which of its inputs feed which M3 field (for validation). */
export interface M3Usage {
  program: string;
  transaction: string;
  /** input name → M3 field name */
  fields: Record<string, string>;
}

export type LookupResult<T> = { found: true; result: T } | { found: false };

/** Durable progress inside one long step (e.g. the temporary batch order of OIS100MI). */
export interface Checkpoint {
  /** what an earlier attempt of this step saved, if anything */
  readonly earlier: Record<string, unknown> | undefined;
  /** save progress now (committed before the step goes on) */
  save(data: Record<string, unknown>): Promise<void>;
}

/** What a step's execute() gets besides its input. Connectors are not here: each step type holds its own. */
export interface StepEnv<C = unknown> {
  /** the step's static configuration from the definition (validated by the type's config schema) */
  config: C;
  /** `flows.*` settings: company, division, local currency, provider codes, … */
  settings: FlowSettings;
  /** the rules version the run is pinned to */
  rules: Rules;
  /** M3 company and division of the run */
  scope: { cono: number; divi: string };
  flowId: string;
  stepId: string;
  correlationId: string;
  /** the intent key of this step: `<run key>:<step id>` */
  key: string;
  /** the run's payment, when it has one */
  paymentId?: string;
  checkpoint: Checkpoint;
  logger: Logger;
  /** only for `local` steps: the run's open transaction */
  trx?: Knex.Transaction;
  /** the gateway database, read-only use (for `gateway` steps that look things up) */
  db: Knex;
  /** a dry or test run: side effects still happen against the connected (sandbox) systems */
  testRun: boolean;
}

/** `flows.*` configuration as the steps see it. */
export interface FlowSettings {
  company: number;
  division: string;
  localCurrency: string;
  customerTemplate: string;
  paymentMethod: string;
  provider: string;
  receiptPaymentType: string;
  glInterfaceName: string;
  cardSaleTransactionType: string;
  cardTypeCodes: Record<string, string>;
}

export interface StepType<I = unknown, O = unknown, C = unknown> {
  /** e.g. `m3.create-order` */
  type: string;
  title: string;
  /** one sentence for the palette and `flows show` */
  summary: string;
  category: StepCategory;
  system: StepSystem;
  /** the operation as the other system names it, e.g. `OIS100MI/AddBatchHead+AddBatchLine+Confirm` */
  operation: (config: C) => string;
  exactlyOnce: (config: C) => ExactlyOnce;
  /** the step moves money or books it (PayTrace sale/refund/void, M3 receipt, GL): recorded before it runs */
  movesMoney?: boolean;
  /** output is not available to later steps (the effect is written with the run's next commit) */
  deferred?: boolean;
  input: z.ZodType<I>;
  /** names of inputs that carry money (decimal strings): the validator refuses float arithmetic on them */
  moneyInputs?: readonly string[];
  /** fields of the output, for the builder's source tree and the validator */
  output?: z.ZodType<O>;
  config?: z.ZodType<C>;
  m3?: (config: C) => M3Usage | undefined;
  /** the runner validates the config once per definition; this adds the type's own checks */
  checkConfig?: (config: C) => string[];
  execute(input: I, env: StepEnv<C>): Promise<O>;
  /** required for `lookup`: find the effect of an earlier attempt whose outcome is unknown */
  lookup?(input: I, env: StepEnv<C>): Promise<LookupResult<O>>;
  /** errors after which the effect certainly did not happen (default: business and configuration errors) */
  certainlyNotApplied?(err: unknown): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStepType = StepType<any, any, any>;

export interface StepCatalogue {
  get(type: string): AnyStepType | undefined;
  list(): AnyStepType[];
}
