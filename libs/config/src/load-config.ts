import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { AppConfig, DatabaseConfig } from './app-config';

import { ConfigError } from './config-error';
import { redisConfig } from './redis-config';

export { ConfigError };

type Env = Record<string, string | undefined>;

/** Where the pages' Help link goes unless HELP_URL says otherwise: the console's own help page. */
export const DEFAULT_HELP_URL = '/assets/help.html';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

function url(env: Env, name: string, protocols: string[]): URL | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw new ConfigError(name, `is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => p + '//').join(' or ')}`);
  }
  return parsed;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** The default webhook retry schedule: up to a day (about 31.6 hours all told) after the first attempt. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h';

/** A comma-separated list of waits such as `5s,5m,2h` (units ms, s, m, h), each at most 24 hours. */
function durations(env: Env, name: string, fallback: string): number[] {
  const raw = env[name]?.trim() || fallback;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > 20) throw new ConfigError(name, 'must list at most 20 waits');
  return parts.map((part) => {
    const m = /^(\d{1,8})(ms|s|m|h)$/.exec(part);
    if (!m) throw new ConfigError(name, `must be waits like 5s,5m,2h separated by commas, got "${part}"`);
    const ms = Number(m[1]) * DURATION_UNITS[m[2]];
    if (ms > 86_400_000) throw new ConfigError(name, `each wait must be at most 24h, got "${part}"`);
    return ms;
  });
}

function databaseConfig(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return { type: 'sqlite', path: join(dataDir, 'lmp.sqlite') };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:data/lmp.sqlite');
    return { type: 'sqlite', path: path === ':memory:' ? path : isAbsolute(path) ? path : resolve(path) };
  }
  const parsed = url(env, 'DATABASE_URL', ['mysql:', 'mariadb:']);
  if (!parsed || !parsed.pathname || parsed.pathname === '/') {
    throw new ConfigError('DATABASE_URL', 'must name a database, e.g. mysql://user:pass@host:3306/lmp');
  }
  return { type: parsed.protocol === 'mariadb:' ? 'mariadb' : 'mysql', url: raw.replace(/^mariadb:/, 'mysql:') };
}

/** DATABASE_REPLICA_URLS: comma-separated mysql:// URLs, each naming a database; only beside a MySQL primary. */
function replicaUrls(env: Env, database: DatabaseConfig): string[] {
  const raw = env.DATABASE_REPLICA_URLS?.trim();
  if (!raw) return [];
  if (database.type === 'sqlite') {
    throw new ConfigError(
      'DATABASE_REPLICA_URLS',
      'needs a mysql:// or mariadb:// DATABASE_URL (SQLite has no replicas)',
    );
  }
  const urls = raw.split(',').map((part, i) => {
    const one = part.trim();
    let parsed: URL;
    try {
      parsed = new URL(one);
    } catch {
      throw new ConfigError('DATABASE_REPLICA_URLS', `entry ${i + 1} is not a valid URL`);
    }
    if (!['mysql:', 'mariadb:'].includes(parsed.protocol) || !parsed.pathname || parsed.pathname === '/') {
      throw new ConfigError(
        'DATABASE_REPLICA_URLS',
        `entry ${i + 1} must be like mysql://user:pass@host:3306/lmp (a mysql:// or mariadb:// URL naming the database)`,
      );
    }
    return one.replace(/^mariadb:/, 'mysql:');
  });
  if (new Set(urls).size !== urls.length) throw new ConfigError('DATABASE_REPLICA_URLS', 'lists a replica twice');
  if (urls.length > 16) throw new ConfigError('DATABASE_REPLICA_URLS', 'lists more than 16 replicas');
  return urls;
}

function trustProxy(env: Env): boolean | number {
  const raw = env.TRUST_PROXY?.trim();
  if (raw && /^\d+$/.test(raw)) return int(env, 'TRUST_PROXY', 0, 0, 10);
  return bool(env, 'TRUST_PROXY', false);
}

interface GeneratedSecrets {
  sessionSecret: string;
  dataEncryptionKey: string;
}

/** Outside production, secrets missing from the environment are generated once into the data dir. */
function generatedSecrets(dataDir: string): GeneratedSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as GeneratedSecrets;
  const secrets: GeneratedSecrets = {
    sessionSecret: randomBytes(32).toString('base64url'),
    dataEncryptionKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function encryptionKey(raw: string, name: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new ConfigError(name, 'must be 32 bytes, as 64 hex digits or base64');
  return key;
}

/**
 * Reads and validates the environment. Throws ConfigError naming the first bad variable.
 * Outside production it may create `<DATA_DIR>/secrets.json` for the two secrets.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR?.trim() || 'data');
  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? new URL(`http://localhost:${port || 3000}`);
  if (publicUrl.search || publicUrl.hash) throw new ConfigError('PUBLIC_URL', 'must not have a query or fragment');
  const database = databaseConfig(env, dataDir);
  const redis = redisConfig(env);
  const smtp = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);

  let sessionSecret = env.SESSION_SECRET?.trim();
  let keyRaw = env.DATA_ENCRYPTION_KEY?.trim();
  if (production) {
    if (!sessionSecret) throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
    if (!keyRaw) throw new ConfigError('DATA_ENCRYPTION_KEY', 'is required when NODE_ENV=production');
  }
  if (!sessionSecret || !keyRaw) {
    const generated = generatedSecrets(dataDir);
    sessionSecret ||= generated.sessionSecret;
    keyRaw ||= generated.dataEncryptionKey;
  }
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  // Production cookies are Secure and HSTS is on, which needs https; plain http is a choice made on purpose.
  if (production && publicUrl.protocol !== 'https:' && !bool(env, 'ALLOW_INSECURE_HTTP', false)) {
    throw new ConfigError(
      'PUBLIC_URL',
      `must start with https:// when NODE_ENV=production, got "${publicUrl.origin}" (set ALLOW_INSECURE_HTTP=true to run on plain http)`,
    );
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (production && !metricsToken) {
    throw new ConfigError(
      'METRICS_TOKEN',
      'is required when NODE_ENV=production: scrapers send Authorization: Bearer <token>',
    );
  }

  const queuePrefix = env.QUEUE_PREFIX?.trim() || 'lmp';
  if (!/^[a-zA-Z0-9_-]{1,32}$/.test(queuePrefix)) {
    throw new ConfigError('QUEUE_PREFIX', 'must be 1 to 32 letters, digits, - or _');
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const mailFrom = env.MAIL_FROM?.trim() || `LMP <no-reply@${publicUrl.hostname}>`;
  if (!/^[^\r\n]+@[^\r\n]+$/.test(mailFrom)) throw new ConfigError('MAIL_FROM', 'must be an email address');
  const embedded = !redis;
  const processName = env.PROCESS_NAME?.trim() || `${hostname()}:${process.pid}`;
  if (!/^[a-zA-Z0-9._:-]{1,64}$/.test(processName)) {
    throw new ConfigError('PROCESS_NAME', 'must be 1 to 64 letters, digits, ., :, - or _');
  }
  // Every page links here for help; a deployment points it at its own support desk.
  const helpUrl = env.HELP_URL?.trim().startsWith('mailto:')
    ? url(env, 'HELP_URL', ['mailto:'])!.toString()
    : (url(env, 'HELP_URL', ['http:', 'https:'])?.toString() ?? DEFAULT_HELP_URL);

  return {
    production,
    port,
    publicUrl: publicUrl.toString().replace(/\/+$/, ''),
    secureCookies: publicUrl.protocol === 'https:',
    database,
    databaseReplicaUrls: replicaUrls(env, database),
    replicaMaxLagMs: int(env, 'REPLICA_MAX_LAG_MS', 5000, 1000, 3_600_000),
    redis,
    processName,
    smtpUrl: smtp?.toString(),
    mailFrom,
    helpUrl,
    sessionSecret,
    dataEncryptionKey: encryptionKey(keyRaw, 'DATA_ENCRYPTION_KEY'),
    queuePrefix,
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 20, 1, 1000),
    mailAttempts: int(env, 'MAIL_ATTEMPTS', 8, 1, 50),
    retryBaseMs: int(env, 'RETRY_BASE_MS', 2000, 10, 3_600_000),
    sendRatePerSecond: int(env, 'SEND_RATE_PER_SECOND', 0, 0, 100_000),
    relayDelayMs: int(env, 'RELAY_DELAY_MS', 5000, 0, 3_600_000),
    relayIntervalMs: int(env, 'RELAY_INTERVAL_MS', 2000, 50, 3_600_000),
    outboxOverdueGraceMs: int(env, 'OUTBOX_OVERDUE_GRACE_MS', 60_000, 0, 86_400_000),
    outboxLeaseMs: int(env, 'OUTBOX_LEASE_MS', 60_000, 1000, 3_600_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    workerHealthPort: int(env, 'WORKER_HEALTH_PORT', 0, 0, 65535),
    smsGatewayUrl: url(env, 'SMS_GATEWAY_URL', ['http:', 'https:'])?.toString(),
    smsGatewayToken: env.SMS_GATEWAY_TOKEN?.trim() || undefined,
    metricsToken,
    retentionDays: int(env, 'RETENTION_DAYS', 30, 1, 3650),
    licenseExpiringDays: int(env, 'LICENSE_EXPIRING_DAYS', 30, 0, 3650),
    webhookAllowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    webhookRetryScheduleMs: durations(env, 'WEBHOOK_RETRY_SCHEDULE', DEFAULT_WEBHOOK_RETRY_SCHEDULE),
    webhookDisableAfterDead: int(env, 'WEBHOOK_DISABLE_AFTER_DEAD', 5, 1, 1000),
    licenseScanIntervalMinutes: int(env, 'LICENSE_SCAN_INTERVAL_MINUTES', 60, 1, 1440),
    dataDir,
    logLevel,
    migrateOnStart: bool(env, 'MIGRATE_ON_START', database.type === 'sqlite'),
    trustProxy: trustProxy(env),
    demoOnFirstStart: bool(env, 'DEMO_ON_FIRST_START', embedded && database.type === 'sqlite' && !production),
  };
}
