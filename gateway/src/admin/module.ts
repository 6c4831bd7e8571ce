import type { GatewayModule } from '../kernel/module';
import { adminApiRoutes } from './admin-api';
import { startAlertEvaluator } from './alerts';
import { installBusinessMetrics } from './business-metrics';
import { oidcLoginRoutes } from './oidc-login';
import { uiRoutes } from './ui-static';

/**
 * The operator web app: Infor OS sign-in, the admin API (roles + CSRF), the React app under /ui,
 * business metrics, and the alert evaluator (a cluster-wide singleton).
 */
export function adminModule(): GatewayModule {
  let evaluator: ReturnType<typeof startAlertEvaluator> | undefined;
  let uninstallMetrics: (() => void) | undefined;
  return {
    routes: (app, services) => {
      app.use(oidcLoginRoutes(services.config.admin.oidc, services.db, { ttlMinutes: services.config.admin.sessionTtlMinutes, logger: services.logger, publicBaseUrl: services.config.http.publicBaseUrl }));
      app.use(adminApiRoutes(services));
      app.use(uiRoutes());
    },
    async start(services) {
      uninstallMetrics = installBusinessMetrics(services.metrics.registry);
      evaluator = startAlertEvaluator(services.db, services.queue, services.config, { connectors: services.connectors, startedAt: services.startedAt, logger: services.logger });
    },
    async stop() {
      await evaluator?.stop();
      uninstallMetrics?.();
    },
  };
}
