import type { Request, Response } from 'express';
import type { GatewayServices } from '../kernel/services';
import type { Role } from './roles';

/** One route of the admin API: the operator app's and, through it, other concerns' (mapping assistant, flows). */
export interface AdminEndpoint {
  method: 'get' | 'post';
  path: string;
  role: Role;
  handler: (req: Request, res: Response, services: GatewayServices) => Promise<unknown>;
}
