import { z } from 'zod';
import { ConfigError } from '../config';

/**
 * Reconciliation settings. Kept beside the engine (and read from RECON_* environment variables)
 * so the shared configuration file stays untouched; validated at start-up with the bad key named.
 */
export const reconConfigSchema = z
  .object({
    /** the nightly run: a cron expression evaluated in `timeZone` */
    schedule: z.string().min(9).default('30 3 * * *'),
    /** IANA zone of the schedule and of "yesterday" (the period a nightly run covers) */
    timeZone: z.string().min(1).refine(isTimeZone, 'an IANA time zone such as America/Chicago').default('UTC'),
    /** what the nightly run does: propose fixes (dry_run) or also make the automatic ones (apply) */
    nightlyMode: z.enum(['dry_run', 'apply']).default('dry_run'),
    scheduleEnabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
    /** the largest difference (cents) a currency conversion may explain; above it the amounts differ [inferred] */
    roundingToleranceCents: z.coerce.number().int().min(0).max(100).default(1),
    /** PayTrace batch transaction lists fetched at once */
    exportConcurrency: z.coerce.number().int().min(1).max(16).default(4),
    /** longest period one run may cover */
    maxPeriodDays: z.coerce.number().int().min(1).max(92).default(31),
  })
  .strict();

export type ReconConfig = z.output<typeof reconConfigSchema>;

const ENV: Array<[string, keyof ReconConfig]> = [
  ['RECON_SCHEDULE', 'schedule'],
  ['RECON_TIMEZONE', 'timeZone'],
  ['RECON_SCHEDULE_ENABLED', 'scheduleEnabled'],
  ['RECON_NIGHTLY_MODE', 'nightlyMode'],
  ['RECON_ROUNDING_TOLERANCE_CENTS', 'roundingToleranceCents'],
  ['RECON_MAX_PERIOD_DAYS', 'maxPeriodDays'],
  ['RECON_EXPORT_CONCURRENCY', 'exportConcurrency'],
];

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Settings from the environment, overridden by `overrides` (tests, embedding code). */
export function loadReconConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ReconConfig> = {}): ReconConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of ENV) if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  const result = reconConfigSchema.safeParse({ ...raw, ...overrides });
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const envName = ENV.find(([, k]) => k === key)?.[0];
      return `recon.${key}${envName ? ` (env ${envName})` : ''}: ${issue.message}`;
    }),
  );
}
