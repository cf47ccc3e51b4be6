import argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../../libs/identity/src/password-hasher';
import { closedLoop, HttpClient } from './load';

export const CONCURRENCY = 16;

/** A client address from a large pool, as the load balancer (TRUST_PROXY) reports it. */
export const clientIp = (seq: number) => `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;

/** The ceiling: raw argon2.verify calls/s with the product's parameters, 16 at a time, no HTTP, no DB. */
export async function b1Ceiling(hash: string, password: string, seconds: number): Promise<number> {
  const r = await closedLoop({
    concurrency: CONCURRENCY,
    seconds,
    warmupSeconds: 1,
    op: async () => ({ kind: 'verify', ok: await argon2.verify(hash, password) }),
  });
  if (r.errors) throw new Error(`argon2.verify failed: ${r.firstErrors.join('; ')}`);
  return r.ok / r.seconds;
}

export const hashForCeiling = (password: string) => argon2.hash(password, ARGON2_OPTIONS);

/**
 * Password sign-ins through POST /api/v1/auth/login, 16 clients: 90 % seeded accounts with the
 * right password (200), 10 % unknown emails (401, same hash cost). Attempts/s that got the
 * expected answer.
 */
export async function b1Product(
  http: HttpClient,
  emails: string[],
  password: string,
  seconds: number,
  offset: number,
): Promise<{ perSecond: number; completed: number; errors: number; firstErrors: string[] }> {
  const r = await closedLoop({
    concurrency: CONCURRENCY,
    seconds,
    warmupSeconds: 1,
    op: async (_client, seq) => {
      const n = offset + seq;
      const unknown = n % 10 === 9;
      const email = unknown ? `nobody-${n}@unknown.example.com` : emails[n % emails.length];
      const res = await http.request('POST', '/api/v1/auth/login', {
        json: { email, password },
        headers: { 'x-forwarded-for': clientIp(n) },
      });
      const expected = unknown ? 401 : 200;
      return {
        kind: unknown ? 'unknown' : 'known',
        ok: res.status === expected,
        error: `${res.status} ${res.body.slice(0, 200)}`,
      };
    },
  });
  return { perSecond: r.ok / r.seconds, completed: r.completed, errors: r.errors, firstErrors: r.firstErrors };
}
