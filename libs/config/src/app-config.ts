import type { RedisConfig } from './redis-config';

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'mysql' | 'mariadb'; url: string };

/** Every setting of the apps, validated once at start-up (see loadConfig). */
export interface AppConfig {
  production: boolean;
  port: number;
  /** Base of every emailed link, without a trailing slash. */
  publicUrl: string;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  database: DatabaseConfig;
  /** MySQL/MariaDB read replicas for the read-only browse queries (empty: every query on the primary). */
  databaseReplicaUrls: string[];
  /** A replica further behind the primary than this is skipped until it catches up. */
  replicaMaxLagMs: number;
  /** Unset: jobs run in-process (embedded mode). One server, a Cluster, or Sentinels. */
  redis?: RedisConfig;
  /** This process in metrics and logs: PROCESS_NAME, or hostname:pid. */
  processName: string;
  /** Unset: mail is written as .eml files under `<dataDir>/outbox`. */
  smtpUrl?: string;
  mailFrom: string;
  /** The Help link on every page (a support site or a mailto: address). */
  helpUrl: string;
  sessionSecret: string;
  /** 32 bytes, for AES-256-GCM of secrets at rest. */
  dataEncryptionKey: Buffer;
  queuePrefix: string;
  workerConcurrency: number;
  /** Attempts per outbox message before it is dead. */
  mailAttempts: number;
  /** First retry delay; each further attempt doubles it, with jitter. */
  retryBaseMs: number;
  /** Messages a worker may send per second on each queue (0: no limit), to stay under a provider's limit. */
  sendRatePerSecond: number;
  /** The relay queues `pending` outbox rows older than this... */
  relayDelayMs: number;
  /** ...checking every so often. */
  relayIntervalMs: number;
  /** The relay queues again an outbox row whose next attempt is overdue by more than this (its job was lost). */
  outboxOverdueGraceMs: number;
  /** How long a worker holds a row it is sending before another run may take it over (longer than any send). */
  outboxLeaseMs: number;
  /** How long a stopping worker waits for the jobs it is running. */
  shutdownTimeoutMs: number;
  /** The worker's health and metrics port (0: none). */
  workerHealthPort: number;
  /** SMS gateway: JSON POST {to, text} with a bearer token. Unset: SMS are written to files. */
  smsGatewayUrl?: string;
  smsGatewayToken?: string;
  /** When set, /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Expired tokens, sent outbox rows and ended sessions are deleted this many days later. */
  retentionDays: number;
  /** A license is shown as 'expiring' when it expires within this many days (0: never). */
  licenseExpiringDays: number;
  /** Webhooks may reach private, loopback and link-local addresses, and plain http (development, tests). */
  webhookAllowPrivateNetworks: boolean;
  /** The wait before each retry of a webhook delivery; one attempt more than delays, then it is dead. */
  webhookRetryScheduleMs: number[];
  /** A webhook is disabled after this many deliveries in a row end dead. */
  webhookDisableAfterDead: number;
  /** How often the workers (or the embedded console) scan licenses for expiry notices. */
  licenseScanIntervalMinutes: number;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Apply pending migrations when the console starts (default on in embedded mode). */
  migrateOnStart: boolean;
  /** Create a demo partner with a printed sign-in on first start (embedded mode). */
  demoOnFirstStart: boolean;
  /** Express `trust proxy`: false, true, or the number of proxies in front (for the client IP). */
  trustProxy: boolean | number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
