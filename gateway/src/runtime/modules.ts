import { adminModule } from '../admin/module';
import { rulesModule } from './rules-module';
import { eventsModule } from '../events/module';
import { flowsModule } from '../triggers/module';
import { inforModule } from '../infor/module';
import { linksModule } from '../links/module';
import { openApiModule } from '../openapi/module';
import { payTraceModule } from '../paytrace/module';
import { reconModule } from '../recon/module';
import type { GatewayModule } from './gateway';

/**
 * The concerns that plug into the gateway (routes, queues, pollers), in start order:
 * rules first (everything validates against them), then the connectors, then what uses them.
 */
export function gatewayModules(): GatewayModule[] {
  return [rulesModule(), payTraceModule(), inforModule(), eventsModule(), flowsModule(), linksModule(), openApiModule(), adminModule(), reconModule()];
}
