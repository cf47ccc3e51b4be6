import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, toProblem } from '@lmp/common';
import { ApiTokenRefusedProblem } from '@lmp/tenancy';

/** The only routes an API token opens (matched as Express routes are: without regard to case). */
export const isPartnerApi = (req: Request): boolean =>
  req.originalUrl.split('?')[0].toLowerCase().startsWith('/api/v1/partner/');

/** A header that carries one of our API tokens (or tries to). */
const carriesApiToken = (req: Request): boolean => /^\s*bearer\s+lmp_pat_/i.test(req.get('authorization') ?? '');

/**
 * API tokens open the partner API and nothing else: a request that brings one anywhere else
 * (My Profile, the company API, the operators' pages, the console pages, sign-out) is answered 401
 * before any cookie is read, whatever session it also carries. Mounted ahead of everything.
 */
export function apiTokenBoundary() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!carriesApiToken(req) || isPartnerApi(req)) return next();
    const refused = new ApiTokenRefusedProblem('API tokens work only on the partner API (/api/v1/partner/…).');
    const problem = toProblem(refused);
    res.set(refused.headers).status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  };
}
