import { Router } from 'express';
import type { GatewayModule } from '../kernel/module';
import { openApiDocument } from './document';

/** GET /openapi.json: the document the ION API gateway imports to register the gateway as an API suite. */
export function openApiModule(): GatewayModule {
  return {
    routes: (app, services) => {
      const router = Router();
      router.get('/openapi.json', (req, res) => {
        const serverUrl = services.config.http.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
        res.set('Cache-Control', 'no-cache').json(openApiDocument({ serverUrl, version: services.version }));
      });
      app.use(router);
    },
  };
}
