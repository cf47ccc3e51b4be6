import { Injectable, OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';

/** OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes and checks passwords with argon2id. The work runs in libuv's thread pool, never on
 * the event loop. Unknown emails are checked against a dummy hash so they cost the same time.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash?: Promise<string>;

  onModuleInit(): void {
    this.dummyHash = argon2.hash('not-a-real-password-' + Math.random(), ARGON2_OPTIONS);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (!hash) {
      await this.spendEqualTime(password);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends what a real check costs, for requests about accounts that do not exist. */
  async spendEqualTime(password: string): Promise<void> {
    this.dummyHash ??= argon2.hash('not-a-real-password-' + Math.random(), ARGON2_OPTIONS);
    await argon2.verify(await this.dummyHash, password).catch(() => false);
  }
}
