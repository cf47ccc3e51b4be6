/**
 * Unit-test support for services that open transactions: a TransactionRunner that runs the work
 * at once with one fake transaction, whose entity manager is a jest auto-mock. Imported by specs
 * only (`@lmp/database/testing`), never from the library's index.
 */
import { EntityManager } from 'typeorm';
import { automock } from '@lmp/common/testing';
import { Customer, License, MfaMethod, User } from './entities';
import { newId } from './ids';
import { TransactionRunner, Tx } from './transaction-runner';

export interface FakeTx extends Tx {
  em: jest.Mocked<EntityManager>;
  /** Runs the after-commit hooks registered so far, as a commit would. */
  commit(): Promise<void>;
}

export function inlineTransactions(): { runner: jest.Mocked<TransactionRunner>; tx: FakeTx } {
  const hooks: Array<() => Promise<void> | void> = [];
  const tx: FakeTx = {
    em: automock(EntityManager),
    afterCommit: (hook) => void hooks.push(hook),
    commit: async () => {
      for (const hook of hooks.splice(0)) await hook();
    },
  };
  const runner = automock(TransactionRunner);
  runner.run.mockImplementation((work) => work(tx));
  runner.write.mockImplementation((work) => work(tx.em));
  return { runner, tx };
}

const AT = new Date('2026-01-05T09:00:00.000Z');

/** Rows as a spec needs them: plausible defaults, the fields under test given. */
export function aUser(fields: Partial<User> = {}): User {
  return {
    id: newId(),
    email: 'ada@example.test',
    passwordHash: '$argon2id$stored',
    status: 'active',
    emailVerifiedAt: AT,
    firstName: 'Ada',
    lastName: 'Lovelace',
    userType: 'company',
    phone: null,
    location: null,
    partnerId: null,
    customerId: null,
    role: 'full_access',
    failedLogins: 0,
    lockedUntil: null,
    mfaEnabled: false,
    passwordChangedAt: null,
    lastLoginAt: null,
    createdAt: AT,
    updatedAt: AT,
    ...fields,
  };
}

export function aCustomer(fields: Partial<Customer> = {}): Customer {
  return {
    id: newId(),
    partnerId: newId(),
    companyName: 'Acme Ltd',
    country: 'GB',
    status: 'active',
    createdAt: AT,
    updatedAt: AT,
    ...fields,
  };
}

export function aLicense(fields: Partial<License> = {}): License {
  return {
    id: newId(),
    customerId: newId(),
    product: 'Studio',
    seats: 5,
    startsAt: new Date('2026-01-01T00:00:00.000Z'),
    expiresAt: new Date('2027-01-01T00:00:00.000Z'),
    status: 'active',
    createdAt: AT,
    ...fields,
  };
}

export function anMfaMethod(fields: Partial<MfaMethod> = {}): MfaMethod {
  return {
    id: newId(),
    userId: newId(),
    kind: 'totp',
    target: null,
    secret: null,
    isDefault: false,
    confirmedAt: AT,
    createdAt: AT,
    lastUsedStep: null,
    codeHash: null,
    codeExpiresAt: null,
    codeTries: 0,
    codeSentAt: null,
    ...fields,
  };
}
