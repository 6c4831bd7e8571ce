import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Rules } from '../../domain/rules-loader';
import type { IonClient } from '../../infor/ion/ion-client';
import type { M3Executor, M3Scope } from '../../infor/m3-programs/executor';
import type { Logger } from '../../observability/logger';
import type { PayTraceClient } from '../../paytrace/client';
import type { JobQueue } from '../../pipeline/job-queue';

/** What a flow works with: the connectors, the rules, the database. Built once per gateway. */
export interface FlowContext {
  db: Knex;
  queue: JobQueue;
  m3: M3Executor;
  paytrace: PayTraceClient;
  /** ION, when Infor is connected: where payment BODs go */
  ion?: IonClient;
  rules: Rules;
  config: Config;
  logger: Logger;
}

export function scopeOf(config: Config, company?: number, division?: string): M3Scope {
  return { cono: company ?? config.flows.company, divi: division ?? config.flows.division };
}

/** yyyyMMdd, M3's date format, in UTC */
export function m3Today(now = new Date()): string {
  return now.toISOString().slice(0, 10).replace(/-/g, '');
}
