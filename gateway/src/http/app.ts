import express, { type Express } from 'express';
import helmet from 'helmet';
import type { RouteMount } from '../kernel/module';
import type { GatewayServices } from '../kernel/services';
import { errorHandler, notFound } from './middleware/errors';
import { httpMetrics } from './middleware/http-metrics';
import { refuseCardData } from './middleware/refuse-card-data';
import { refuseNulCharacters, refuseNulInBody } from './middleware/refuse-nul';
import { requestContext } from './middleware/request-context';
import { healthRoutes } from './routes/health';

declare module 'http' {
  interface IncomingMessage {
    /** the exact bytes of the body, for signature verification */
    rawBody?: Buffer;
  }
}


export function createApp(services: GatewayServices, mounts: RouteMount[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.http.trustProxy);
  app.use(requestContext);
  app.use(httpMetrics(services.metrics, services.logger));
  app.use(
    helmet({
      // HSTS only means something over TLS (RFC 6797 §7.2): set below when the request came over https
      strictTransportSecurity: false,
      contentSecurityPolicy: {
        directives: {
          // no page of ours is framed (clickjacking), the operator app included; the pay page sets its own, as strict
          'frame-ancestors': ["'none'"],
          // no inline styles: React's style props go through the CSSOM, which CSP does not block
          'style-src': ["'self'"],
        },
      },
      xFrameOptions: { action: 'deny' },
    }),
  );
  app.use((req, res, next) => {
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });
  app.use(refuseNulCharacters);
  app.use((req, res, next) => {
    // Refuse new work while draining; health stays visible so operators can watch shutdown.
    if (services.lifecycle.shuttingDown && !['/health', '/ready', '/metrics'].includes(req.path)) {
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', '5');
      res.status(503).type('application/problem+json').send(
        JSON.stringify({ type: 'urn:m3-paytrace:problem:shutting-down', title: 'Shutting down', status: 503, code: 'SHUTTING_DOWN', errorClass: 'transient', requestId: res.locals.requestId }),
      );
      return;
    }
    next();
  });
  const limit = services.config.http.bodyLimitBytes;
  app.use(
    express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        req.rawBody = buf;
      },
    }),
  );
  app.use(refuseNulInBody);
  app.use(refuseCardData); // PCI: card numbers and CSCs never enter the gateway
  app.use(healthRoutes(services));
  for (const mount of mounts) mount(app, services);
  app.use(notFound);
  app.use(errorHandler(services.logger));
  return app;
}
