import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { BackgroundTasks, Clock, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Customer, DIRECT_PARTNER_CODE, newId, Partner, TransactionRunner, User, UserType } from '@lmp/database';
import {
  checkPassword,
  EmailVerificationService,
  normalizeEmail,
  PasswordHasher,
  SessionMeta,
  UserRepository,
} from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';

export interface SignupInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  userType: UserType;
  companyName?: string;
  partnerCode?: string;
}

/**
 * Sign-up: a customer company of the chosen partner (the direct partner by default) and its
 * first full-access user, unverified, with a verification email. The answer is the same
 * whether or not the address has an account; the work runs after the response so that its
 * timing does not tell either (a new account hashes a password, a taken one does not).
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly verification: EmailVerificationService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly background: BackgroundTasks,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks what can be checked without looking the address up, then does the rest later. */
  async signup(input: SignupInput, meta: SessionMeta): Promise<void> {
    const email = normalizeEmail(input.email);
    const errors = checkPassword(input.password, email);
    const partner = await this.dataSource
      .getRepository(Partner)
      .findOneBy({ code: (input.partnerCode?.trim() || DIRECT_PARTNER_CODE).toLowerCase(), status: 'active' });
    if (!partner) errors.push({ field: 'partnerCode', message: 'is not a partner code we know' });
    if (errors.length) throw new ValidationProblem(errors);
    this.background.run('signup', () => this.complete({ ...input, email }, partner!, meta));
  }

  private async complete(input: SignupInput, partner: Partner, meta: SessionMeta): Promise<void> {
    const existing = await this.users.findByEmail(input.email);
    if (existing) {
      await this.tx.run(async (tx) => {
        await this.outbox.mail(tx, MailTemplate.SignupAttempt, existing.email, {
          firstName: existing.firstName || existing.email,
          signInLink: `${this.config.publicUrl}/login`,
          forgotPasswordLink: `${this.config.publicUrl}/forgot-password`,
        });
        await this.audit.record(tx.em, {
          action: AuditAction.SignupRepeated,
          targetUserId: existing.id,
          ip: meta.ip ?? null,
        });
      });
      return;
    }
    const passwordHash = await this.hasher.hash(input.password);
    const now = this.clock.now();
    const person = `${input.firstName.trim()} ${input.lastName.trim()}`.trim();
    const customer: Customer = {
      id: newId(),
      partnerId: partner.id,
      companyName: (input.userType === 'company' && input.companyName?.trim()) || person,
      country: 'ZZ',
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    const user: User = {
      id: newId(),
      email: input.email,
      passwordHash,
      status: 'active',
      emailVerifiedAt: null,
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      userType: input.userType,
      phone: null,
      location: null,
      partnerId: null,
      customerId: customer.id,
      role: 'full_access',
      failedLogins: 0,
      lockedUntil: null,
      mfaEnabled: false,
      passwordChangedAt: now,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (tx) => {
      await tx.em.insert(Customer, customer);
      await this.users.insert(tx.em, user);
      await this.audit.record(tx.em, {
        action: AuditAction.SignedUp,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: partner.id,
        customerId: customer.id,
        ip: meta.ip ?? null,
        detail: { userType: user.userType },
      });
      await this.verification.send(tx, user, meta.ip ?? null);
    });
  }
}
