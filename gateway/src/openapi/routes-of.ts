import type { Express } from 'express';

export interface RouteInfo {
  method: string;
  /** Express path syntax, e.g. /api/payment-links/:id */
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** Every method + path an Express app answers, walking mounted routers (for the OpenAPI check). */
export function routesOf(app: Express): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') routes.push({ method: method.toUpperCase(), path: `${prefix}${p}` });
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  const router = (app as unknown as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } }).router ?? (app as unknown as { _router?: { stack: Layer[] } })._router;
  walk(router?.stack ?? [], '');
  return routes;
}
