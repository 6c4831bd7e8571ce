import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Rules } from '../domain/rules-loader';
import type { ConnectorStatus } from '../observability/connector-status';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { JobQueue } from '../pipeline/job-queue';
import type { Pipeline } from '../pipeline/pipeline';
import type { VersionNotifier } from '../pipeline/versions/notifier';
import type { RulesRegistry } from '../pipeline/versions/rules-registry';

/**
 * Everything a route or flow needs, built once at start-up and passed down explicitly.
 *
 * The kernel knows no connector: a connector module adds its own field by augmenting this
 * interface (`declare module '../kernel/services'`), e.g. `paytrace` in paytrace/module.ts and
 * `infor` in infor/module.ts, and sets it when it starts.
 */
export interface GatewayServices {
  config: Config;
  db: Knex;
  queue: JobQueue;
  metrics: Metrics;
  logger: Logger;
  connectors: ConnectorStatus;
  version: string;
  startedAt: Date;
  /** where this gateway listens (`http://host:port`), known once it listens */
  url?: string;
  lifecycle: { ready: boolean; shuttingDown: boolean };
  /** tells this gateway when a flow or rules version is published (PostgreSQL LISTEN/NOTIFY) */
  notifier: VersionNotifier;
  /** set by the rules module (first to start): the published rules, replaced live when a new version is published */
  rules?: Rules;
  /** set by the rules module: every rules version, the published one, publishing */
  rulesVersions?: RulesRegistry;
  /** set by the flows module: ingest triggers, flow versions, the runner, test runs */
  pipeline?: Pipeline;
}
