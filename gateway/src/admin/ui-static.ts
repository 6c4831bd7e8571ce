import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** gateway/ui/dist, found from the sources or from compiled output (dist/gateway/src/admin). */
export function uiDistDir(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'gateway', 'ui', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** The operator app under /ui: hashed assets cached for long, index.html for every client-side route. */
export function uiRoutes(distDir = uiDistDir()): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/ui/'));
  if (!distDir) {
    router.use('/ui', (_req, res) => {
      res.status(503).type('text/plain').send('The operator app is not built: run npm run build:ui (npm start builds it when it is missing).');
    });
    return router;
  }
  router.use('/ui/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  router.use('/ui', express.static(distDir, { index: false, maxAge: 0 }));
  // a string route (not a regex) so /metrics labels these requests "/ui{/*path}"
  router.get('/ui{/*path}', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(path.join(distDir, 'index.html'));
  });
  return router;
}
