import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Rules } from '../domain/rules-loader';
import { AppError } from '../errors';
import type { M3Executor } from '../infor/m3-programs/executor';
import type { GatewayServices } from '../kernel/services';
import type { Logger } from '../observability/logger';
import type { JobQueue } from '../pipeline/job-queue';
import type { Pipeline } from '../pipeline/pipeline';
import type { PayTraceClient } from '../paytrace/client';

/** What a reconciliation run works with: both connectors, the rules, the database, and the flows (its fixes run their steps). */
export interface ReconServices {
  db: Knex;
  queue: JobQueue;
  m3: M3Executor;
  paytrace: PayTraceClient;
  rules: Rules;
  config: Config;
  logger: Logger;
  pipeline?: Pipeline;
}

export function reconServices(services: GatewayServices): ReconServices {
  const m3 = services.infor?.m3;
  const paytrace = services.paytrace;
  const rules = services.rules;
  if (!m3 || !paytrace || !rules) {
    const missing = [!m3 && 'Infor (.ionapi)', !paytrace && 'PayTrace', !rules && 'rules'].filter(Boolean).join(', ');
    throw new AppError(`reconciliation needs ${missing}`, { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration' });
  }
  return { db: services.db, queue: services.queue, m3, paytrace, rules, config: services.config, logger: services.logger, pipeline: services.pipeline };
}

export function scopeOf(config: Config, company?: number | null, division?: string | null): { cono: number; divi: string } {
  return { cono: company ?? config.flows.company, divi: division ?? config.flows.division };
}
