import type { Config } from '../config';
import type { ConnectorStatus } from '../observability/connector-status';
import type { Logger } from '../observability/logger';
import type { GatewayModule } from '../kernel/module';
import { PayTraceClient } from './client';
import { useStatusMap } from './codes';
import { PayTraceTransport } from './transport';

declare module '../kernel/services' {
  interface GatewayServices {
    /** set by the PayTrace module when paytrace.* is configured */
    paytrace?: PayTraceClient;
  }
}

/**
 * The PayTrace client as configured (`paytrace.*`), or undefined when the configuration
 * does not name a PayTrace endpoint and user (a gateway that only does M3 work).
 * Keyed card operations are never enabled here: the gateway takes cards only through Protect.
 */
export function payTraceClientFromConfig(config: Config, deps: { connectors?: ConnectorStatus; logger?: Logger } = {}): PayTraceClient | undefined {
  const { baseUrl, username, password, integratorId, timeoutMs } = config.paytrace;
  if (!baseUrl || !username || !password) return undefined;
  const transport = new PayTraceTransport({ baseUrl, username, password, integratorId, timeoutMs, connectors: deps.connectors, logger: deps.logger });
  return new PayTraceClient(transport);
}

/** Puts `services.paytrace` in place for the flows that start after it. */
export function payTraceModule(): GatewayModule {
  return {
    start: async (services) => {
      // how PayTrace's answers are read follows the published status map, live
      if (services.rules) useStatusMap(services.rules.statusMap);
      services.rulesVersions?.onChange((rules) => useStatusMap(rules.statusMap));
      const client = payTraceClientFromConfig(services.config, { connectors: services.connectors, logger: services.logger });
      if (!client) {
        services.logger.warn('PayTrace is not configured (paytrace.baseUrl/username/password): PayTrace flows are off');
        return;
      }
      services.paytrace = client;
      services.logger.info('PayTrace client ready', { baseUrl: services.config.paytrace.baseUrl, timeoutMs: services.config.paytrace.timeoutMs });
    },
  };
}
