import argon2 from 'argon2';
import { spawn } from 'node:child_process';
import IORedis from 'ioredis';
import { createConnection, createPool, Pool, RowDataPacket } from 'mysql2/promise';
import { bulkSeedAdminEmail, bulkSeedCode } from '../../libs/tenancy/src/bulk-seeder';
import { Scale } from './options';
import { bundle, ROOT } from './processes';
import { dropQueuePrefix as dropPrefix } from '../support/services';

/** The MariaDB server and Redis the benchmark uses (root on 127.0.0.1 unless told otherwise). */
export const SERVER_URL = process.env.BENCH_DATABASE_URL || 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
/** Every seeded account and partner admin has this password (hashed once by the seeder). */
export const BENCH_PASSWORD = 'bench-passphrase-2024';

export const databaseName = (scale: Scale) => (scale.name === 'full' ? 'lmp_bench' : `lmp_bench_${scale.name}`);

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One line naming what is missing, or null when MariaDB and Redis both answer. */
export async function unreachable(): Promise<string | null> {
  try {
    const conn = await createConnection({ uri: SERVER_URL, connectTimeout: 3000 });
    await conn.query('SELECT 1');
    await conn.end();
  } catch (err) {
    return `bench: cannot reach MariaDB/MySQL at ${new URL(SERVER_URL).host} (${(err as Error).message}); start it or set BENCH_DATABASE_URL`;
  }
  const redis = new IORedis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 3000,
  });
  let cause = '';
  redis.on('error', (err: Error) => (cause ||= err.message));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    return `bench: cannot reach Redis at ${REDIS_URL} (${cause || (err as Error).message}); start it or set BENCH_REDIS_URL`;
  } finally {
    redis.disconnect();
  }
  return null;
}

export async function serverVersions(): Promise<{ mariadb: string; redis: string; bufferPoolMb: number }> {
  const conn = await createConnection(SERVER_URL);
  const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp');
  await conn.end();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const info = await redis.info('server');
  redis.disconnect();
  return {
    mariadb: String(rows[0].v),
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?',
    bufferPoolMb: Number(rows[0].bp) / 1024 / 1024,
  };
}

async function onServer(sql: string): Promise<void> {
  const conn = await createConnection(SERVER_URL);
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** `node dist/apps/cli/main.js …` with the progress bar on our stderr; rejects on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle('cli'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`lmp ${args[0]} exited with ${code}: ${out.trim()}`)),
    );
  });
}

export interface SeededDatabase {
  name: string;
  url: string;
  adminEmail: string;
  distributorId: string;
  distributorCustomers: number;
  /** What the seeding did: "reused" or how long it took. */
  seedNote: string;
}

/**
 * The benchmark's database at this scale: created if missing, migrated, and seeded through the
 * product's own `lmp demo:seed --partners` (a no-op when a seed of the same sizes is there).
 */
export async function prepareDatabase(scale: Scale, cliEnv: Record<string, string>): Promise<SeededDatabase> {
  const db = await seedDatabase(scale, cliEnv);
  if (await adminPasswordIs(db, BENCH_PASSWORD)) return db;
  // A seed of the same sizes made with another password (by hand): seed the bench's database again.
  process.stderr.write(`${db.name} was seeded with another password: seeding it again\n`);
  await dropDatabase(db.name);
  return seedDatabase(scale, cliEnv);
}

async function adminPasswordIs(db: SeededDatabase, password: string): Promise<boolean> {
  const conn = await createConnection(db.url);
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT password_hash FROM users WHERE email = ?', [
      db.adminEmail,
    ]);
    const hash = rows[0]?.password_hash as string | undefined;
    return !!hash && (await argon2.verify(hash, password));
  } finally {
    await conn.end();
  }
}

async function seedDatabase(scale: Scale, cliEnv: Record<string, string>): Promise<SeededDatabase> {
  const name = databaseName(scale);
  const url = databaseUrl(name);
  await onServer(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const env = { ...cliEnv, DATABASE_URL: url };
  await runCli(['db:migrate'], env);
  const started = Date.now();
  const out = await runCli(
    [
      'demo:seed',
      '--partners',
      String(scale.partners),
      '--customers',
      String(scale.customers),
      '--accounts-per-customer',
      String(scale.accountsPerCustomer),
      '--password',
      BENCH_PASSWORD,
    ],
    env,
  );
  const reused = out.includes('exists already');
  const seedNote = reused ? 'seed reused' : `seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  const pool = createPool({ uri: url, connectionLimit: 1 });
  try {
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT p.id, (SELECT COUNT(*) FROM customers c WHERE c.partner_id = p.id) AS n FROM partners p WHERE p.code = ?',
      [bulkSeedCode(scale)],
    );
    if (!rows.length) throw new Error(`the seed did not create partner ${bulkSeedCode(scale)}`);
    return {
      name,
      url,
      adminEmail: bulkSeedAdminEmail(scale),
      distributorId: String(rows[0].id),
      distributorCustomers: Number(rows[0].n),
      seedNote,
    };
  } finally {
    await pool.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await onServer(`DROP DATABASE IF EXISTS \`${name}\``);
}

export interface Account {
  customerId: string;
  accountId: string;
  email: string;
}

export interface Samples {
  /** Customer accounts of every partner, for sign-in. */
  signIn: string[];
  /** Accounts of the distributor's customers, for resets and email search. */
  distributorAccounts: Account[];
  /** The distributor's customers. */
  customers: Array<{ id: string; companyName: string }>;
}

/** Random rows to drive the load, read once before it starts. */
export async function sample(db: SeededDatabase): Promise<Samples> {
  const pool: Pool = createPool({ uri: db.url, connectionLimit: 2 });
  try {
    const [signIn] = await pool.query<RowDataPacket[]>(
      `SELECT u.email FROM users u JOIN (SELECT id FROM customers ORDER BY RAND() LIMIT 1000) c ON c.id = u.customer_id`,
    );
    const [customers] = await pool.query<RowDataPacket[]>(
      `SELECT id, company_name FROM customers WHERE partner_id = ? ORDER BY RAND() LIMIT 4000`,
      [db.distributorId],
    );
    const ids = customers.map((c) => String(c.id));
    const accounts: Account[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT id, customer_id, email FROM users WHERE customer_id IN (?) AND status = 'active'`,
        [batch],
      );
      for (const r of rows)
        accounts.push({ customerId: String(r.customer_id), accountId: String(r.id), email: String(r.email) });
    }
    shuffle(accounts);
    return {
      signIn: signIn.map((r) => String(r.email)),
      distributorAccounts: accounts,
      customers: customers.map((c) => ({ id: String(c.id), companyName: String(c.company_name) })),
    };
  } finally {
    await pool.end();
  }
}

export function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** Removes every Redis key of a queue prefix. */
export const dropQueuePrefix = (prefix: string): Promise<void> => dropPrefix(prefix, REDIS_URL);
