import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AuditAction } from '@lmp/audit';
import { Clock, NotFoundProblem, RateLimitedProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ApiToken, newId, TransactionRunner, Tx } from '@lmp/database';
import { RateLimitStore, UserRepository } from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { ApiScope, API_SCOPES } from './api-scopes';
import { ApiTokenRefusedProblem } from './api-token-problems';
import { ApiTokenRepository, ApiTokenRow } from './api-token.repository';
import { PartnerActor } from './partner-actor';
import { PartnerAudit } from './partner-audit';
import { PartnerRepository } from './partner.repository';

/** Every token starts with this, so that it is recognised (by secret scanners too). */
export const API_TOKEN_PREFIX = 'lmp_pat_';
/** Lifetime in days when none is asked for, and the longest one may ask for. */
export const API_TOKEN_DAYS = { default: 90, max: 365 };
/** Calls one token may make per minute. */
export const API_TOKEN_RATE = { limit: 600, windowMs: 60_000 };
/** A token's last use is written at most this often. */
const LAST_USE_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;
/** The prefix and 32 random bytes (256 bits) in base64url. */
const TOKEN_SHAPE = /^lmp_pat_[A-Za-z0-9_-]{43}$/;

export interface NewApiToken {
  name: string;
  scopes: ApiScope[];
  expiresInDays?: number;
}

export interface ApiTokenView {
  id: string;
  name: string;
  scopes: ApiScope[];
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  createdByEmail: string | null;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

/** What a request's token allows: an actor of its partner, within its scopes. */
export interface ApiTokenCaller {
  actor: PartnerActor;
  scopes: ReadonlySet<string>;
}

type TokenMail = typeof MailTemplate.ApiTokenCreated | typeof MailTemplate.ApiTokenRevoked;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
const scopesOf = (t: ApiToken): ApiScope[] =>
  t.scopes.split(' ').filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
const utcMinute = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/**
 * Partner API tokens: created by a partner admin (shown once, stored as a SHA-256), listed without
 * secrets, revoked at once; and each request's bearer token turned into an actor of its partner.
 * Creating and revoking are audited and mailed to the partner's admins.
 */
@Injectable()
export class PartnerApiTokensService {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly partners: PartnerRepository,
    private readonly users: UserRepository,
    private readonly audit: PartnerAudit,
    private readonly outbox: OutboxWriter,
    private readonly limits: RateLimitStore,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(actor: PartnerActor): Promise<ApiTokenView[]> {
    const now = this.clock.now();
    return (await this.tokens.list(actor.partnerId)).map((t) => this.view(t, now));
  }

  /** A new token; its secret is in this answer only. A token cannot create tokens. */
  async create(actor: PartnerActor, input: NewApiToken): Promise<ApiTokenView & { token: string }> {
    if (actor.token) throw new ForbiddenException('API tokens cannot create tokens.');
    const now = this.clock.now();
    const secret = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const days = input.expiresInDays ?? API_TOKEN_DAYS.default;
    const token: ApiToken = {
      id: newId(),
      partnerId: actor.partnerId,
      name: input.name.trim(),
      scopes: API_SCOPES.filter((s) => input.scopes.includes(s)).join(' '),
      tokenHash: hashOf(secret),
      createdBy: actor.userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + days * DAY_MS),
      revokedAt: null,
      revokedBy: null,
      lastUsedAt: null,
      lastUsedIp: null,
    };
    await this.tx.run(async (tx) => {
      await this.tokens.insert(tx.em, token);
      const detail = {
        tokenId: token.id,
        name: token.name,
        scopes: token.scopes,
        expiresAt: token.expiresAt.toISOString(),
      };
      await this.audit.record(tx.em, actor, AuditAction.ApiTokenCreated, detail);
      await this.tellAdmins(tx, actor, token, MailTemplate.ApiTokenCreated, now);
    });
    const createdByEmail = (await this.users.findById(actor.userId))?.email ?? null;
    return { ...this.view({ ...token, createdByEmail }, now), token: secret };
  }

  /** Revokes the partner's token (404 for another partner's); revoking it again changes nothing. */
  async revoke(actor: PartnerActor, id: string): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async (tx) => {
      const token = await this.tokens.findOne(actor.partnerId, id, tx.em);
      if (!token) throw new NotFoundProblem('API token');
      if (!(await this.tokens.revoke(tx.em, actor.partnerId, id, actor.userId, now))) return;
      await this.audit.record(tx.em, actor, AuditAction.ApiTokenRevoked, { tokenId: token.id, name: token.name });
      await this.tellAdmins(tx, actor, token, MailTemplate.ApiTokenRevoked, now);
    });
  }

  /**
   * The caller a request's Authorization header names: 401 unless it is `Bearer` with a live
   * token of ours, 429 once the token's calls this minute pass its limit (one atomic count).
   */
  async authenticate(authorization: string, ip: string | null): Promise<ApiTokenCaller> {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) throw new ApiTokenRefusedProblem('Send the API token as "Authorization: Bearer lmp_pat_…".', false);
    if (!TOKEN_SHAPE.test(match[1])) throw new ApiTokenRefusedProblem('This is not an LMP API token.');
    const token = await this.tokens.findByHash(hashOf(match[1]));
    if (!token) throw new ApiTokenRefusedProblem('This API token is not known.');
    const now = this.clock.now();
    if (token.revokedAt) throw new ApiTokenRefusedProblem('This API token was revoked.');
    if (token.expiresAt <= now) throw new ApiTokenRefusedProblem('This API token has expired.');
    const hit = await this.limits.count(token.id, API_TOKEN_RATE.windowMs, 'api-token');
    if (hit.totalHits > API_TOKEN_RATE.limit) {
      throw new RateLimitedProblem(
        Math.max(1, hit.timeToExpire),
        `This API token made more than ${API_TOKEN_RATE.limit} calls this minute. Try again shortly.`,
      );
    }
    if (!token.lastUsedAt || token.lastUsedAt.getTime() <= now.getTime() - LAST_USE_EVERY_MS) {
      await this.tokens.touch(token.id, now, ip, new Date(now.getTime() - LAST_USE_EVERY_MS));
    }
    return {
      actor: { partnerId: token.partnerId, userId: token.createdBy, ip, token: { id: token.id, name: token.name } },
      scopes: new Set(scopesOf(token)),
    };
  }

  /** Every active partner admin hears of it (the one who did it too), in the same transaction. */
  private async tellAdmins(tx: Tx, actor: PartnerActor, token: ApiToken, template: TokenMail, now: Date) {
    const by = await this.users.findById(actor.userId, tx.em);
    const changedBy = by ? `${`${by.firstName} ${by.lastName}`.trim() || by.email} (${by.email})` : 'A partner admin';
    const props = {
      partnerName: await this.partners.nameOf(actor.partnerId),
      tokenName: token.name,
      scopes: token.scopes.split(' ').join(', '),
      changedBy,
      changedAt: utcMinute(now),
      tokensLink: `${this.config.publicUrl}/partner/settings/api-tokens`,
    };
    for (const admin of await this.tokens.admins(tx.em, actor.partnerId)) {
      const mail = { ...props, firstName: admin.firstName || admin.email };
      await this.outbox.mail(tx, template, admin.email, mail);
    }
  }

  private view(t: ApiTokenRow, now: Date): ApiTokenView {
    return {
      id: t.id,
      name: t.name,
      scopes: scopesOf(t),
      status: t.revokedAt ? 'revoked' : t.expiresAt <= now ? 'expired' : 'active',
      createdAt: t.createdAt.toISOString(),
      createdByEmail: t.createdByEmail,
      expiresAt: t.expiresAt.toISOString(),
      revokedAt: t.revokedAt?.toISOString() ?? null,
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      lastUsedIp: t.lastUsedIp,
    };
  }
}
