import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors';
import { addToContext } from '../../observability/context';
import type { GatewayServices } from '../../kernel/services';

/**
 * The gateway's API (/api/*) is called by M3 users' H5 scripts and by ION, both through the
 * ION API gateway with an Infor OS-issued bearer token: verified here against the Infor OS JWKS.
 * The caller's identity goes on res.locals.caller and into the log context.
 */
export function requireInforCaller(services: GatewayServices) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const verify = services.infor?.verifyToken;
    if (!verify) throw new AppError('the API needs Infor OS to verify callers (infor.ionapiFile)', { code: 'API_AUTH_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    const claims = await verify(req.get('authorization'));
    const caller = String(claims.sub ?? claims.client_id ?? 'unknown');
    res.locals.caller = caller;
    res.locals.claims = claims;
    addToContext({ caller });
    next();
  };
}
