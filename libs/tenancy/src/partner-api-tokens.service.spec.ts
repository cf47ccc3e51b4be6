import { createHash } from 'node:crypto';
import { AuditAction } from '@lmp/audit';
import { NotFoundProblem, RateLimitedProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { APP_CONFIG } from '@lmp/config';
import { ApiToken, TransactionRunner } from '@lmp/database';
import { aUser, inlineTransactions } from '@lmp/database/testing';
import { RateLimitStore, UserRepository } from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { ApiTokenRefusedProblem } from './api-token-problems';
import { ApiTokenRepository } from './api-token.repository';
import { API_TOKEN_RATE, PartnerApiTokensService } from './partner-api-tokens.service';
import { PartnerAudit } from './partner-audit';
import { PartnerRepository } from './partner.repository';

const actor = { partnerId: 'p-1', userId: 'admin-1', ip: '198.51.100.4' };
const DAY = 86_400_000;
const SECRET = `lmp_pat_${'b'.repeat(43)}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(PartnerApiTokensService, [
    [TransactionRunner, runner],
    [APP_CONFIG, { publicUrl: 'https://lmp.example.com' }],
  ]);
  const admin = aUser({ id: 'admin-1', email: 'boss@example.test', firstName: 'Bo', lastName: 'Ss', partnerId: 'p-1' });
  const second = aUser({ email: 'second@example.test', firstName: 'Sec', partnerId: 'p-1' });
  t.mock(UserRepository).findById.mockResolvedValue(admin);
  t.mock(PartnerRepository).nameOf.mockResolvedValue('Northwind Partners');
  t.mock(ApiTokenRepository).admins.mockResolvedValue([admin, second]);
  t.mock(RateLimitStore).count.mockResolvedValue({
    totalHits: 1,
    timeToExpire: 60,
    isBlocked: false,
    timeToBlockExpire: 0,
  });
  return { ...t, tx };
}

const stored = (fields: Partial<ApiToken> = {}): ApiToken => ({
  id: 'tok-1',
  partnerId: 'p-1',
  name: 'Billing sync',
  scopes: 'customers:read licenses:write',
  tokenHash: sha256(SECRET),
  createdBy: 'admin-1',
  createdAt: new Date(TEST_NOW.getTime() - DAY),
  expiresAt: new Date(TEST_NOW.getTime() + DAY),
  revokedAt: null,
  revokedBy: null,
  lastUsedAt: null,
  lastUsedIp: null,
  ...fields,
});

describe('PartnerApiTokensService', () => {
  describe('create', () => {
    it('stores only the hash of a fresh lmp_pat_ secret, audits it and mails every admin, in one transaction', async () => {
      const { sut, mock, tx } = setup();

      const created = await sut.create(actor, {
        name: '  Billing sync ',
        scopes: ['licenses:write', 'customers:read'],
      });

      expect(created.token).toMatch(/^lmp_pat_[A-Za-z0-9_-]{43}$/);
      const row = mock(ApiTokenRepository).insert.mock.calls[0][1];
      expect(row).toMatchObject({ partnerId: 'p-1', name: 'Billing sync', createdBy: 'admin-1' });
      expect(row.tokenHash).toBe(sha256(created.token));
      expect(row.scopes).toBe('customers:read licenses:write');
      expect(row.expiresAt.getTime() - TEST_NOW.getTime()).toBe(90 * DAY);
      expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
        tx.em,
        actor,
        AuditAction.ApiTokenCreated,
        expect.objectContaining({ tokenId: row.id, name: 'Billing sync' }),
      );
      const mails = mock(OutboxWriter).mail.mock.calls;
      expect(mails.map((c) => [c[1], c[2]])).toEqual([
        [MailTemplate.ApiTokenCreated, 'boss@example.test'],
        [MailTemplate.ApiTokenCreated, 'second@example.test'],
      ]);
      expect(mails[1][3]).toMatchObject({
        firstName: 'Sec',
        tokenName: 'Billing sync',
        scopes: 'customers:read, licenses:write',
        changedBy: 'Bo Ss (boss@example.test)',
        tokensLink: 'https://lmp.example.com/partner/settings/api-tokens',
      });
      expect(JSON.stringify(mails)).not.toContain(created.token);
      expect(created).toMatchObject({
        name: 'Billing sync',
        status: 'active',
        scopes: ['customers:read', 'licenses:write'],
      });
    });

    it('makes a different secret each time, and keeps the asked expiry', async () => {
      const { sut, mock } = setup();
      const one = await sut.create(actor, { name: 'a', scopes: ['audit:read'], expiresInDays: 1 });
      const two = await sut.create(actor, { name: 'b', scopes: ['audit:read'], expiresInDays: 365 });
      expect(one.token).not.toBe(two.token);
      const rows = mock(ApiTokenRepository).insert.mock.calls.map((c) => c[1]);
      expect(rows.map((r) => (r.expiresAt.getTime() - TEST_NOW.getTime()) / DAY)).toEqual([1, 365]);
    });

    it('refuses a token as the creator of a token', async () => {
      const { sut, mock } = setup();
      const byToken = { ...actor, token: { id: 'tok-1', name: 'x' } };
      await expect(sut.create(byToken, { name: 'child', scopes: ['audit:read'] })).rejects.toMatchObject({
        status: 403,
      });
      expect(mock(ApiTokenRepository).insert).not.toHaveBeenCalled();
    });
  });

  describe('revoke', () => {
    it("is 404 for a token that is not the partner's", async () => {
      const { sut, mock } = setup();
      mock(ApiTokenRepository).findOne.mockResolvedValue(null);
      await expect(sut.revoke(actor, 'tok-x')).rejects.toBeInstanceOf(NotFoundProblem);
      expect(mock(ApiTokenRepository).revoke).not.toHaveBeenCalled();
    });

    it('audits and mails only when this call revoked it', async () => {
      const { sut, mock, tx } = setup();
      mock(ApiTokenRepository).findOne.mockResolvedValue(stored());
      mock(ApiTokenRepository).revoke.mockResolvedValueOnce(true).mockResolvedValueOnce(false);

      await sut.revoke(actor, 'tok-1');
      await sut.revoke(actor, 'tok-1');

      expect(mock(ApiTokenRepository).revoke).toHaveBeenCalledWith(tx.em, 'p-1', 'tok-1', 'admin-1', TEST_NOW);
      expect(mock(PartnerAudit).record).toHaveBeenCalledTimes(1);
      expect(mock(PartnerAudit).record).toHaveBeenCalledWith(tx.em, actor, AuditAction.ApiTokenRevoked, {
        tokenId: 'tok-1',
        name: 'Billing sync',
      });
      expect(mock(OutboxWriter).mail).toHaveBeenCalledTimes(2);
      expect(mock(OutboxWriter).mail.mock.calls[0][1]).toBe(MailTemplate.ApiTokenRevoked);
    });
  });

  describe('authenticate', () => {
    it('turns a live token into an actor of its partner, named by the token, with its scopes', async () => {
      const { sut, mock } = setup();
      mock(ApiTokenRepository).findByHash.mockResolvedValue(stored());

      const caller = await sut.authenticate(`Bearer ${SECRET}`, '203.0.113.7');

      expect(mock(ApiTokenRepository).findByHash).toHaveBeenCalledWith(sha256(SECRET));
      expect(caller.actor).toEqual({
        partnerId: 'p-1',
        userId: 'admin-1',
        ip: '203.0.113.7',
        token: { id: 'tok-1', name: 'Billing sync' },
      });
      expect([...caller.scopes]).toEqual(['customers:read', 'licenses:write']);
      expect(mock(RateLimitStore).count).toHaveBeenCalledWith('tok-1', API_TOKEN_RATE.windowMs, 'api-token');
    });

    it.each([
      ['a header that is not Bearer', 'Basic abc', 'Send the API token'],
      ['a bearer value that is not ours', 'Bearer abc', 'This is not an LMP API token.'],
      ['an unknown token', `Bearer ${SECRET}`, 'This API token is not known.'],
    ])('is 401 for %s', async (_name, header, detail) => {
      const { sut, mock } = setup();
      mock(ApiTokenRepository).findByHash.mockResolvedValue(null);
      const err = await sut.authenticate(header, null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiTokenRefusedProblem);
      expect((err as ApiTokenRefusedProblem).problem.detail).toContain(detail);
      expect(mock(RateLimitStore).count).not.toHaveBeenCalled();
    });

    it('is 401 for a revoked or an expired token', async () => {
      const { sut, mock } = setup();
      mock(ApiTokenRepository).findByHash.mockResolvedValueOnce(stored({ revokedAt: TEST_NOW }));
      await expect(sut.authenticate(`Bearer ${SECRET}`, null)).rejects.toThrow('This API token was revoked.');
      mock(ApiTokenRepository).findByHash.mockResolvedValueOnce(stored({ expiresAt: TEST_NOW }));
      await expect(sut.authenticate(`Bearer ${SECRET}`, null)).rejects.toThrow('This API token has expired.');
    });

    it('is 429 with the seconds left once the count passes the limit', async () => {
      const { sut, mock } = setup();
      mock(ApiTokenRepository).findByHash.mockResolvedValue(stored());
      mock(RateLimitStore).count.mockResolvedValue({
        totalHits: API_TOKEN_RATE.limit + 1,
        timeToExpire: 17,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
      const err = await sut.authenticate(`Bearer ${SECRET}`, null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedProblem);
      expect((err as RateLimitedProblem).retryAfterSeconds).toBe(17);
    });

    it('records the last use only when the stored one is a minute old or more', async () => {
      const { sut, mock } = setup();
      mock(ApiTokenRepository).findByHash.mockResolvedValueOnce(
        stored({ lastUsedAt: new Date(TEST_NOW.getTime() - 30_000) }),
      );
      await sut.authenticate(`Bearer ${SECRET}`, '203.0.113.7');
      expect(mock(ApiTokenRepository).touch).not.toHaveBeenCalled();

      mock(ApiTokenRepository).findByHash.mockResolvedValueOnce(
        stored({ lastUsedAt: new Date(TEST_NOW.getTime() - 61_000) }),
      );
      await sut.authenticate(`Bearer ${SECRET}`, '203.0.113.7');
      expect(mock(ApiTokenRepository).touch).toHaveBeenCalledWith(
        'tok-1',
        TEST_NOW,
        '203.0.113.7',
        new Date(TEST_NOW.getTime() - 60_000),
      );
    });
  });
});
