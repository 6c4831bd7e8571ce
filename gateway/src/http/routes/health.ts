import { Router } from 'express';
import type { GatewayServices } from '../../kernel/services';
import { renderHealthPage } from './health-page';
import { healthReport } from './health-report';

export function healthRoutes(services: GatewayServices): Router {
  const router = Router();

  /** Liveness: 200 while the process serves HTTP; the body says how each component is. */
  router.get('/health', async (req, res) => {
    const report = await healthReport(services);
    res.setHeader('Cache-Control', 'no-store');
    res.vary('Accept');
    // a browser gets the page M3 and ION admins open first; machines keep the JSON
    if (req.accepts(['json', 'html']) === 'html') res.status(200).type('html').send(renderHealthPage(report));
    else res.status(200).json(report);
  });

  /** Readiness: 503 while starting, shutting down, or without a database. */
  router.get('/ready', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!services.lifecycle.ready || services.lifecycle.shuttingDown) {
      res.status(503).json({ ready: false, reason: services.lifecycle.shuttingDown ? 'shutting down' : 'starting' });
      return;
    }
    try {
      await services.db.raw('select 1');
      res.status(200).json({ ready: true });
    } catch (err) {
      res.status(503).json({ ready: false, reason: `database unreachable: ${err instanceof Error ? err.message : String(err)}` });
    }
  });

  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', services.metrics.registry.contentType);
    res.send(await services.metrics.registry.metrics());
  });

  return router;
}
