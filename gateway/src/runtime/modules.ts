import { rulesModule } from '../domain/module';
import { payTraceModule } from '../paytrace/module';
import { inforModule } from '../infor/module';
import type { GatewayModule } from './gateway';

/**
 * The concerns that plug into the gateway (routes, queues, pollers), in start order.
 * Each issue's concern adds its module here.
 */
export function gatewayModules(): GatewayModule[] {
  return [rulesModule(), payTraceModule(), inforModule()];
}
