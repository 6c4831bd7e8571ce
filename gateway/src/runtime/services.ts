import type { Knex } from 'knex';
import type { Config } from '../config';
import type { ConnectorStatus } from '../observability/connector-status';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { JobQueue } from '../queue/job-queue';
import type { PayTraceClient } from '../paytrace/client';
import type { Rules } from '../domain/rules-loader';
import type { InforConnectors } from '../infor/module';

/** Everything a route or flow needs, built once at start-up and passed down explicitly. */
export interface GatewayServices {
  config: Config;
  db: Knex;
  queue: JobQueue;
  metrics: Metrics;
  logger: Logger;
  connectors: ConnectorStatus;
  version: string;
  startedAt: Date;
  lifecycle: { ready: boolean; shuttingDown: boolean };
  /** set by the PayTrace module when paytrace.* is configured */
  paytrace?: PayTraceClient;
  /** set by the rules module (first to start): validated mappings/*.yaml */
  rules?: Rules;
  /** set by the Infor module when infor.ionapiFile is configured: token client, M3, ION, BOD handlers */
  infor?: InforConnectors;
}
