import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@lmp/common';
import { ActionToken, randomSecret, sha256Hex, TokenPurpose } from '@lmp/database';
import { isWellFormed, TOKEN_TTL_MS, TokenService, tokenState } from './token.service';

class FakeClock extends Clock {
  constructor(public current: Date) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }
}

const NOW = new Date('2030-01-15T12:00:00.000Z');

function makeToken(raw: string, overrides: Partial<ActionToken> = {}): ActionToken {
  return {
    id: 'token-1',
    userId: 'user-1',
    purpose: 'password_reset',
    tokenHash: sha256Hex(raw),
    expiresAt: new Date(NOW.getTime() + TOKEN_TTL_MS.password_reset),
    usedAt: null,
    voidedAt: null,
    requestedBy: null,
    sentTo: null,
    outboxId: null,
    createdAt: new Date(NOW.getTime() - 60_000),
    ...overrides,
  };
}

/**
 * A one-table stand-in for the database: findOneBy by hash, and the conditional
 * "set used_at where still unused" update that consume() relies on.
 */
class FakeTokenTable {
  readonly rows = new Map<string, ActionToken>();
  readonly findOneBy = jest.fn(async (where: { tokenHash: string }) => {
    await Promise.resolve();
    const row = [...this.rows.values()].find((t) => t.tokenHash === where.tokenHash);
    return row ? { ...row } : null;
  });
  readonly execute = jest.fn();

  constructor(...tokens: ActionToken[]) {
    for (const t of tokens) this.rows.set(t.id, { ...t });
  }

  manager(): EntityManager {
    let values: Partial<ActionToken> = {};
    let id = '';
    const qb = {
      update: () => qb,
      set: (v: Partial<ActionToken>) => {
        values = v;
        return qb;
      },
      where: (_sql: string, params: { id: string }) => {
        id = params.id;
        return qb;
      },
      execute: async () => {
        this.execute(id, values);
        await Promise.resolve();
        const row = this.rows.get(id);
        if (!row || row.usedAt || row.voidedAt) return { affected: 0 };
        Object.assign(row, values);
        return { affected: 1 };
      },
    };
    return {
      getRepository: () => ({ findOneBy: this.findOneBy }),
      createQueryBuilder: () => qb,
    } as unknown as EntityManager;
  }

  dataSource(): DataSource {
    return { getRepository: () => ({ findOneBy: this.findOneBy }) } as unknown as DataSource;
  }
}

describe('tokenState', () => {
  const base = { usedAt: null, voidedAt: null, expiresAt: new Date(NOW.getTime() + 1) };

  it('is valid before expiry when neither used nor voided', () => {
    expect(tokenState(base, NOW)).toBe('valid');
  });

  it('is expired at the exact moment of expiry', () => {
    expect(tokenState({ ...base, expiresAt: NOW }, NOW)).toBe('expired');
  });

  it('is expired after expiry', () => {
    expect(tokenState({ ...base, expiresAt: new Date(NOW.getTime() - 1) }, NOW)).toBe('expired');
  });

  it('is used once spent, even when also voided and expired', () => {
    expect(tokenState({ usedAt: NOW, voidedAt: NOW, expiresAt: new Date(0) }, NOW)).toBe('used');
  });

  it('is voided when replaced by a newer token, even when also expired', () => {
    expect(tokenState({ ...base, voidedAt: NOW, expiresAt: new Date(0) }, NOW)).toBe('voided');
  });
});

describe('isWellFormed', () => {
  it('accepts a freshly generated secret (43 base64url characters)', () => {
    expect(isWellFormed(randomSecret())).toBe(true);
    expect(isWellFormed('A'.repeat(20) + '-_' + 'z9'.repeat(10) + 'x')).toBe(true);
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['44 characters', 'a'.repeat(44)],
    ['empty', ''],
    ['standard base64 +', 'a'.repeat(42) + '+'],
    ['standard base64 /', 'a'.repeat(42) + '/'],
    ['padding', 'a'.repeat(42) + '='],
    ['a space', 'a'.repeat(42) + ' '],
    ['a trailing newline', 'a'.repeat(43) + '\n'],
  ])('refuses %s', (_label, raw) => {
    expect(isWellFormed(raw)).toBe(false);
  });

  it.each([[undefined], [null], [42], [['a'.repeat(43)]], [{ token: 'a'.repeat(43) }]])(
    'refuses non-string %j',
    (raw) => {
      expect(isWellFormed(raw)).toBe(false);
    },
  );
});

describe(TokenService.name, () => {
  const purposes: TokenPurpose[] = ['password_reset', 'invitation'];
  let raw: string;
  let clock: FakeClock;

  beforeEach(() => {
    raw = randomSecret();
    clock = new FakeClock(NOW);
  });

  describe('consume', () => {
    it('spends a valid token: marks it used now and returns it', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);

      const result = await sut.consume(table.manager(), raw, purposes);

      expect(result?.id).toBe('token-1');
      expect(result?.usedAt).toEqual(NOW);
      expect(table.rows.get('token-1')?.usedAt).toEqual(NOW);
      expect(table.findOneBy).toHaveBeenCalledWith({ tokenHash: sha256Hex(raw) });
    });

    it('lets only one of two concurrent uses of the same link win', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);

      const results = await Promise.all([
        sut.consume(table.manager(), raw, purposes),
        sut.consume(table.manager(), raw, purposes),
      ]);

      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(table.execute).toHaveBeenCalledTimes(2);
    });

    it('returns null when the conditional update changes no row', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const em = {
        getRepository: () => ({ findOneBy: async () => makeToken(raw) }),
        createQueryBuilder: () => {
          const qb = {
            update: () => qb,
            set: () => qb,
            where: () => qb,
            execute: async () => ({ affected: 0 }),
          };
          return qb;
        },
      } as unknown as EntityManager;
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.consume(em, raw, purposes)).resolves.toBeNull();
    });

    it('cannot be used twice in a row', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);

      await sut.consume(table.manager(), raw, purposes);
      const second = await sut.consume(table.manager(), raw, purposes);

      expect(second).toBeNull();
    });

    it('refuses a token issued for another purpose, without spending it', async () => {
      const table = new FakeTokenTable(makeToken(raw, { purpose: 'email_verify' }));
      const sut = new TokenService(table.dataSource(), clock);

      const result = await sut.consume(table.manager(), raw, purposes);

      expect(result).toBeNull();
      expect(table.execute).not.toHaveBeenCalled();
      expect(table.rows.get('token-1')?.usedAt).toBeNull();
    });

    it('refuses an expired token (expiry exactly now)', async () => {
      const table = new FakeTokenTable(makeToken(raw, { expiresAt: NOW }));
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.consume(table.manager(), raw, purposes)).resolves.toBeNull();
      expect(table.execute).not.toHaveBeenCalled();
    });

    it('refuses a voided token', async () => {
      const table = new FakeTokenTable(makeToken(raw, { voidedAt: new Date(NOW.getTime() - 1000) }));
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.consume(table.manager(), raw, purposes)).resolves.toBeNull();
      expect(table.execute).not.toHaveBeenCalled();
    });

    it('refuses an unknown token', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.consume(table.manager(), randomSecret(), purposes)).resolves.toBeNull();
      expect(table.execute).not.toHaveBeenCalled();
    });

    it.each([[''], ['short'], ['a'.repeat(44)], ["' OR 1=1 --" + 'a'.repeat(32)]])(
      'never queries the database for a malformed token %j',
      async (bad) => {
        const table = new FakeTokenTable(makeToken(raw));
        const sut = new TokenService(table.dataSource(), clock);

        await expect(sut.consume(table.manager(), bad, purposes)).resolves.toBeNull();
        expect(table.findOneBy).not.toHaveBeenCalled();
      },
    );
  });

  describe('findValid', () => {
    it('returns a valid token without spending it', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);

      const result = await sut.findValid(raw, purposes);

      expect(result?.id).toBe('token-1');
      expect(table.rows.get('token-1')?.usedAt).toBeNull();
      expect(table.execute).not.toHaveBeenCalled();
    });

    it('returns null for a token of another purpose', async () => {
      const table = new FakeTokenTable(makeToken(raw, { purpose: 'login_code' }));
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.findValid(raw, purposes)).resolves.toBeNull();
    });

    it('returns null once the clock passes the expiry', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);
      clock.current = new Date(NOW.getTime() + TOKEN_TTL_MS.password_reset);

      await expect(sut.findValid(raw, purposes)).resolves.toBeNull();
    });

    it('returns null for a used token', async () => {
      const table = new FakeTokenTable(makeToken(raw, { usedAt: NOW }));
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.findValid(raw, purposes)).resolves.toBeNull();
    });

    it('never queries the database for a malformed token', async () => {
      const table = new FakeTokenTable(makeToken(raw));
      const sut = new TokenService(table.dataSource(), clock);

      await expect(sut.findValid(raw + 'x', purposes)).resolves.toBeNull();
      expect(table.findOneBy).not.toHaveBeenCalled();
    });
  });
});
