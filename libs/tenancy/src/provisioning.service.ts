import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import {
  Clock,
  ConflictProblem,
  DEFAULT_NOTICE_DAYS,
  FieldError,
  formatNoticeDays,
  ValidationProblem,
} from '@lmp/common';
import { Customer, insertRows, License, newId, Partner, TransactionRunner, User } from '@lmp/database';
import { PasswordHasher, UserRepository, checkPassword, normalizeEmail } from '@lmp/identity';
import { AccountInviter } from './account-inviter';

export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
export const PARTNER_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,63}$/;

export interface NewPartner {
  name: string;
  code: string;
  adminEmail: string;
  adminPassword?: string;
  /** Staff must set up two-factor authentication before anything else; on unless set to false. */
  requireStaffMfa?: boolean;
}

export interface DemoSeedOptions {
  customers: number;
  accountsPerCustomer: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DemoSeedResult {
  partnerId: string;
  adminEmail: string;
  adminPassword: string | null;
  customers: number;
  accounts: number;
  created: boolean;
}

const DEMO_CODE = 'demo';
const DEMO_ADMIN = 'admin@demo.example.com';
const COMPANY_WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Wonka',
  'Aperture',
  'Oscorp',
  'Massive',
  'Dunder',
];
const COMPANY_KINDS = [
  'Systems',
  'Labs',
  'Logistics',
  'Health',
  'Foods',
  'Media',
  'Energy',
  'Retail',
  'Legal',
  'Capital',
];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Eva', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jon', 'Kira', 'Liam'];
const LAST = [
  'Lovelace',
  'Okafor',
  'Martin',
  'Patel',
  'Novak',
  'Haddad',
  'Hopper',
  'Larsen',
  'Chen',
  'Snow',
  'Ito',
  'Byrne',
];
const COUNTRIES = ['GB', 'DE', 'FR', 'NL', 'US', 'IE', 'ES', 'SE'];

/** Creates partners, their first admin, operators and demo data: the CLI's and first start's work. */
/** A new partner's expiry notices: on, 30, 7 and 1 days ahead, no grace period. */
const LICENSE_NOTICE_DEFAULTS = {
  licenseNoticeDays: formatNoticeDays(DEFAULT_NOTICE_DAYS),
  licenseNotices: true,
  licenseGraceDays: 0,
};

@Injectable()
export class ProvisioningService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly inviter: AccountInviter,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** A partner and its first partner_admin. Without a password the admin is invited by email. */
  async createPartner(input: NewPartner): Promise<{ partnerId: string; adminUserId: string }> {
    const errors: FieldError[] = [];
    const name = input.name?.trim() ?? '';
    const code = input.code?.trim().toLowerCase() ?? '';
    const email = normalizeEmail(input.adminEmail ?? '');
    if (!name || name.length > 200) errors.push({ field: 'name', message: 'must be 1 to 200 characters' });
    if (!PARTNER_CODE_PATTERN.test(code)) {
      errors.push({ field: 'code', message: 'must be 2 to 64 lower-case letters, digits or -' });
    }
    if (!EMAIL_PATTERN.test(email) || email.length > 254)
      errors.push({ field: 'adminEmail', message: 'must be an email address' });
    if (input.adminPassword !== undefined) errors.push(...checkPassword(input.adminPassword, email, 'adminPassword'));
    if (errors.length) throw new ValidationProblem(errors);
    if (await this.dataSource.getRepository(Partner).findOneBy({ code })) {
      throw new ConflictProblem(`A partner with code "${code}" exists already.`, [
        { field: 'code', message: 'is taken' },
      ]);
    }
    if (await this.users.findByEmail(email)) {
      throw new ConflictProblem(`${email} has an account already.`, [{ field: 'adminEmail', message: 'is taken' }]);
    }
    const passwordHash = input.adminPassword === undefined ? null : await this.hasher.hash(input.adminPassword);
    const now = this.clock.now();
    const partner: Partner = {
      id: newId(),
      code,
      name,
      status: 'active',
      requireStaffMfa: input.requireStaffMfa ?? true,
      ...LICENSE_NOTICE_DEFAULTS,
      createdAt: now,
    };
    const admin = this.inviter.newUser({ email, role: 'partner_admin', partnerId: partner.id, passwordHash, now });
    await this.tx.run(async (tx) => {
      await insertRows(tx.em, Partner, partner);
      await this.users.insert(tx.em, admin);
      await this.audit.record(tx.em, {
        action: AuditAction.PartnerCreated,
        partnerId: partner.id,
        targetUserId: admin.id,
        detail: { code, adminEmail: email, requireStaffMfa: partner.requireStaffMfa },
      });
      if (!passwordHash)
        await this.inviter.invite(tx, { user: admin, companyName: name, partnerName: name, requestedBy: null });
    });
    return { partnerId: partner.id, adminUserId: admin.id };
  }

  /** An operator account (platform_admin). */
  async createPlatformAdmin(input: { email: string; password: string }): Promise<{ userId: string }> {
    const email = normalizeEmail(input.email ?? '');
    const errors: FieldError[] = [];
    if (!EMAIL_PATTERN.test(email)) errors.push({ field: 'email', message: 'must be an email address' });
    errors.push(...checkPassword(input.password ?? '', email));
    if (errors.length) throw new ValidationProblem(errors);
    if (await this.users.findByEmail(email)) {
      throw new ConflictProblem(`${email} has an account already.`, [{ field: 'email', message: 'is taken' }]);
    }
    const user = this.inviter.newUser({
      email,
      role: 'platform_admin',
      passwordHash: await this.hasher.hash(input.password),
      now: this.clock.now(),
    });
    await this.tx.run(({ em }) => this.users.insert(em, user));
    return { userId: user.id };
  }

  /**
   * A demo partner with customers, accounts and licenses. Rows go in with bulk inserts, and one
   * password hash serves every seeded account. Re-running keeps an existing demo partner.
   */
  async seedDemo(options: DemoSeedOptions): Promise<DemoSeedResult> {
    const existing = await this.dataSource.getRepository(Partner).findOneBy({ code: DEMO_CODE });
    if (existing) {
      const customers = await this.dataSource.getRepository(Customer).countBy({ partnerId: existing.id });
      return {
        partnerId: existing.id,
        adminEmail: DEMO_ADMIN,
        adminPassword: null,
        customers,
        accounts: 0,
        created: false,
      };
    }
    const adminPassword = randomBytes(12).toString('base64url');
    const customerPassword = randomBytes(12).toString('base64url');
    const [adminHash, customerHash] = await Promise.all([
      this.hasher.hash(adminPassword),
      this.hasher.hash(customerPassword),
    ]);
    const now = this.clock.now();
    // The demo lets a first look start at once; the policy is one switch away in its settings.
    const partner: Partner = {
      id: newId(),
      code: DEMO_CODE,
      name: 'Demo Reseller',
      status: 'active',
      requireStaffMfa: false,
      ...LICENSE_NOTICE_DEFAULTS,
      createdAt: now,
    };
    await this.tx.run(async ({ em }) => {
      await insertRows(em, Partner, partner);
      await insertRows(em, User, [
        this.inviter.newUser({
          email: DEMO_ADMIN,
          role: 'partner_admin',
          partnerId: partner.id,
          passwordHash: adminHash,
          now,
          firstName: 'Dana',
          lastName: 'Admin',
        }),
        this.inviter.newUser({
          email: 'support@demo.example.com',
          role: 'partner_support',
          partnerId: partner.id,
          passwordHash: adminHash,
          now,
          firstName: 'Sam',
          lastName: 'Support',
        }),
      ]);
    });
    let accounts = 0;
    const batch = 500;
    for (let start = 0; start < options.customers; start += batch) {
      const customers: Customer[] = [];
      const users: User[] = [];
      const licenses: License[] = [];
      for (let i = start; i < Math.min(options.customers, start + batch); i++) {
        const name = `${COMPANY_WORDS[i % COMPANY_WORDS.length]} ${COMPANY_KINDS[Math.floor(i / COMPANY_WORDS.length) % COMPANY_KINDS.length]}${i >= 160 ? ` ${i}` : ''}`;
        const created = new Date(now.getTime() - (options.customers - i) * 60_000);
        const customer: Customer = {
          id: newId(),
          partnerId: partner.id,
          companyName: name,
          country: COUNTRIES[i % COUNTRIES.length],
          status: 'active',
          createdAt: created,
          updatedAt: created,
        };
        customers.push(customer);
        const domain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`;
        for (let a = 0; a < options.accountsPerCustomer; a++) {
          const first = FIRST[(i + a) % FIRST.length];
          const last = LAST[(i * 7 + a) % LAST.length];
          users.push(
            this.inviter.newUser({
              email: `${first}.${last}${a}@${domain}`.toLowerCase(),
              role: a === 0 ? 'full_access' : 'read_only',
              customerId: customer.id,
              passwordHash: customerHash,
              now: created,
              firstName: first,
              lastName: last,
              verified: true,
            }),
          );
        }
        licenses.push({
          id: newId(),
          customerId: customer.id,
          product: i % 3 === 0 ? 'LMP Endpoint Suite' : 'LMP Backup',
          seats: 5 + (i % 50),
          startsAt: created,
          expiresAt: new Date(created.getTime() + ((i % 24) + 1) * 30 * 86400_000),
          status: 'active',
          createdAt: created,
        });
      }
      await this.tx.run(async ({ em }) => {
        await insertRows(em, Customer, customers);
        for (let k = 0; k < users.length; k += 200) await insertRows(em, User, users.slice(k, k + 200));
        await insertRows(em, License, licenses);
      });
      accounts += users.length;
      options.onProgress?.(Math.min(options.customers, start + batch), options.customers);
    }
    return {
      partnerId: partner.id,
      adminEmail: DEMO_ADMIN,
      adminPassword,
      customers: options.customers,
      accounts,
      created: true,
    };
  }
}
