import type { NextFunction, Request, Response } from 'express';
import type { JWTPayload } from 'jose';
import type { Authority } from './authority';

/**
 * The ION API gateway's check in front of every product path: a live, correctly signed
 * Infor OS access token, else 401 with a JSON error and a WWW-Authenticate header.
 */
export function requireBearer(authority: () => Authority) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="ionapi"').json({ error: 'invalid_token', error_description: 'Missing bearer token' });
      return;
    }
    const check = await authority().verifyAccessToken(match[1]);
    if (!check.ok) {
      res
        .status(401)
        .set('WWW-Authenticate', `Bearer realm="ionapi", error="invalid_token", error_description="${check.reason}"`)
        .json({ error: 'invalid_token', error_description: check.reason });
      return;
    }
    res.locals.token = check.claims satisfies JWTPayload;
    next();
  };
}
