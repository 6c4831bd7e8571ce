import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import type { GatewayServices } from '../kernel/services';
import type { Role } from './roles';

/** One route of the admin API: the operator app's and, through it, other concerns' (mapping assistant, flows). */
export interface AdminEndpoint {
  method: 'get' | 'post';
  path: string;
  role: Role;
  handler: (req: Request, res: Response, services: GatewayServices) => Promise<unknown>;
}

/** 400 ADMIN_BAD_REQUEST with one message per zod issue; an issue about the whole input is named `whole` */
export function adminBadRequest(issues: readonly z.core.$ZodIssue[], whole: 'body' | 'query' = 'body'): AppError {
  return new AppError('invalid request', {
    code: 'ADMIN_BAD_REQUEST', errorClass: 'business', httpStatus: 400,
    details: { fieldErrors: issues.map((i) => ({ field: i.path.join('.') || whole, message: i.message })) },
  });
}

/** an admin route's parameter, query or body checked against its schema, or a 400 naming each field */
export function parseAdminInput<T extends z.ZodType>(schema: T, value: unknown, whole: 'body' | 'query' = 'body'): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw adminBadRequest(result.error.issues, whole);
  return result.data;
}

/** the `:id` of the flow routes (builder, test runs, overlay) */
export const flowIdParam = z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'a flow id such as invoice-payment');
