import { z } from 'zod';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { IonClient } from '../infor/ion/ion-client';
import type { LinkService } from '../links/link-service';
import type { M3Executor } from '../infor/m3-programs/executor';
import type { JobQueue } from '../pipeline/job-queue';
import type { AnyStepType, ExactlyOnce, M3Usage, StepType } from '../pipeline/step-contract';
import type { PayTraceClient } from '../paytrace/client';

/**
 * What the step types are built with: each takes only the connector it needs (a PayTrace step
 * never gets the M3 client). Getters, because a gateway may run without one of them: the step
 * then fails with a configuration error when it runs, and the catalogue can still be listed and
 * validated without any connector (the CLI, the builder).
 */
export interface StepConnectors {
  paytrace(): PayTraceClient;
  m3(): M3Executor;
  ion(): { client: IonClient; componentId: string };
  queue(): JobQueue;
  webhooks(): Config['webhooks'];
  mail(): { from: string };
  /** payment links (issue 22): the link service, the public base URL links point to, the settings their e-mails use */
  links(): Promise<{ service: LinkService; baseUrl: string; config: Config }>;
}

export function missing(what: string): never {
  throw new AppError(`the flows need ${what}, which is not configured`, { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration' });
}

/** Connectors for listing and validating only: every getter says what is missing. */
export const NO_CONNECTORS: StepConnectors = {
  paytrace: () => missing('PayTrace'),
  m3: () => missing('Infor (.ionapi)'),
  ion: () => missing('Infor ION'),
  queue: () => missing('the job queue'),
  webhooks: () => missing('webhooks'),
  mail: () => missing('mail'),
  links: () => missing('payment links'),
};

/**
 * An M3 client that may call only the listed transactions: a step runs with no more M3 rights
 * than it declares (the generic m3.call especially: only its own program and transaction).
 */
export function restrictedM3(m3: M3Executor, allowed: readonly string[]): M3Executor {
  const set = new Set(allowed.map((a) => a.toUpperCase()));
  return {
    execute(program, transaction, fields, options) {
      if (!set.has(`${program}/${transaction}`.toUpperCase())) {
        throw new AppError(`this step may not call ${program}/${transaction} (it declares ${[...set].join(', ')})`, { code: 'FLOW_STEP_NOT_ALLOWED', errorClass: 'configuration' });
      }
      return m3.execute(program, transaction, fields, options);
    },
  };
}

type Fixed<C> = { operation: string | ((config: C) => string); exactlyOnce: ExactlyOnce | ((config: C) => ExactlyOnce); m3?: M3Usage | ((config: C) => M3Usage | undefined) };

/** Define a step type; operation, mechanism and M3 usage may be fixed values. */
export function defineStep<I, O, C = Record<string, never>>(def: Omit<StepType<I, O, C>, 'operation' | 'exactlyOnce' | 'm3'> & Fixed<C>): AnyStepType {
  const { operation, exactlyOnce, m3, ...rest } = def;
  return {
    ...rest,
    operation: typeof operation === 'function' ? operation : () => operation,
    exactlyOnce: typeof exactlyOnce === 'function' ? exactlyOnce : () => exactlyOnce,
    m3: m3 === undefined ? undefined : typeof m3 === 'function' ? m3 : () => m3,
  } as AnyStepType;
}

/** A decimal amount as text ("12.34"): money never travels as a number. */
export const decimalText = z.string().trim().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'must be a decimal string such as "12.34"');
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');
/** Ids arrive as numbers or strings from JSON: one text form. */
export const idText = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform(String);
