import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { ApiScope } from '@lmp/tenancy';
import { ADMIN_PASSWORD, insertActiveUser } from './fixtures';
import { signIn } from './http';

export interface CreatedToken {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: string;
  token: string;
}

/** A token created through the API by a signed-in partner admin. */
export async function createToken(
  admin: TestAgent,
  scopes: ApiScope[],
  name = `token ${scopes.length} ${Math.random().toString(36).slice(2, 8)}`,
  expiresInDays?: number,
): Promise<CreatedToken> {
  const res = await admin.post('/api/v1/partner/api-tokens').send({ name, scopes, expiresInDays });
  if (res.status !== 201) throw new Error(`token not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedToken;
}

type Method = 'get' | 'post' | 'patch' | 'delete';

/** A cookie-less client that sends `token` as a bearer token with every request. */
export const withToken =
  (app: INestApplication, token: string) =>
  (method: Method, path: string): request.Test =>
    request(app.getHttpServer())[method](path).set('Authorization', `Bearer ${token}`);

/** Another staff member of the partner, signed in (no product route creates partner staff yet). */
export async function staffUser(
  app: INestApplication,
  partnerId: string,
  email: string,
  role: 'partner_admin' | 'partner_support',
): Promise<TestAgent> {
  await insertActiveUser(app, {
    email,
    firstName: 'Second',
    lastName: role === 'partner_admin' ? 'Admin' : 'Support',
    role,
    partnerId,
  });
  return signIn(app, email, ADMIN_PASSWORD);
}
