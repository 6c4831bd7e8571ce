import { z } from 'zod';
import { AppError } from '../../errors';
import { defineStep } from '../define';

const config = z
  .object({
    /** the error code when the condition does not hold (registered in gateway/src/errors/registry.ts) */
    code: z.string().regex(/^[A-Z][A-Z0-9_]{2,60}$/, 'an error code such as INVOICE_ALREADY_PAID'),
    /** business (default): the data says no; configuration: a setting is wrong */
    errorClass: z.enum(['business', 'configuration']).default('business'),
  })
  .strict();

/** A business rule the data must meet before the flow goes on; otherwise the run stops with the code. */
export const requireStep = defineStep<{ condition?: unknown; message?: string; details?: Record<string, unknown> }, { ok: true }, z.output<typeof config>>({
  type: 'flow.require',
  title: 'Require',
  summary: 'Stop the run with an error code when a condition does not hold (amount mismatch, invoice already paid, …)',
  category: 'logic',
  system: 'none',
  operation: (c) => `require ${c.code}`,
  exactlyOnce: 'read-only',
  config,
  input: z.object({ condition: z.unknown(), message: z.string().max(1000).optional(), details: z.record(z.string(), z.unknown()).optional() }).strict(),
  async execute(input, env) {
    const holds = input.condition !== undefined && input.condition !== null && input.condition !== false && input.condition !== '';
    if (!holds) throw new AppError(input.message ?? `${env.stepId}: condition not met`, { code: env.config.code, errorClass: env.config.errorClass, details: input.details });
    return { ok: true };
  },
});

/** End the run with an error code (e.g. the otherwise-branch of a decision). */
export const failStep = defineStep<{ message: string; details?: Record<string, unknown> }, never, z.output<typeof config>>({
  type: 'flow.fail',
  title: 'Fail',
  summary: 'End the run with an error code and message',
  category: 'logic',
  system: 'none',
  operation: (c) => `fail ${c.code}`,
  exactlyOnce: 'read-only',
  config,
  input: z.object({ message: z.string().min(1).max(1000), details: z.record(z.string(), z.unknown()).optional() }).strict(),
  async execute(input, env) {
    throw new AppError(input.message, { code: env.config.code, errorClass: env.config.errorClass, details: input.details });
  },
});
