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
  /** Unset: jobs run in-process (embedded mode). */
  redisUrl?: string;
  /** Unset: mail is written as .eml files under `<dataDir>/outbox`. */
  smtpUrl?: string;
  mailFrom: string;
  sessionSecret: string;
  /** 32 bytes, for AES-256-GCM of secrets at rest. */
  dataEncryptionKey: Buffer;
  queuePrefix: string;
  workerConcurrency: number;
  /** Attempts per outbox message before it is dead. */
  mailAttempts: number;
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
