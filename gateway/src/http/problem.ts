import type { Response } from 'express';

/** RFC 9457 problem details: the one error shape of every HTTP answer the gateway gives. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errorClass: string;
  requestId?: string;
  /** field-level validation messages */
  errors?: Array<{ field: string; message: string }>;
  /** extension members: the API role a route needs and the caller's (API_FORBIDDEN), why a token was refused */
  roleNeeded?: string;
  rolesGranted?: string[];
  reason?: string;
}

export function problemType(code: string): string {
  return `urn:m3-paytrace:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function sendProblem(res: Response, problem: Omit<Problem, 'type'> & { type?: string }): void {
  const body: Problem = { type: problem.type ?? problemType(problem.code), ...problem };
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}
