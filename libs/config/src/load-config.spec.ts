import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load-config';

const SECRET = 's'.repeat(32);
const HEX_KEY = 'ab'.repeat(32);
/** What production needs besides the secrets: an https address and a scrape token. */
const PRODUCTION = {
  NODE_ENV: 'production',
  SESSION_SECRET: SECRET,
  DATA_ENCRYPTION_KEY: HEX_KEY,
  PUBLIC_URL: 'https://lmp.example.com',
  METRICS_TOKEN: 'scrape-token',
};

describe(loadConfig.name, () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lmp-config-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const load = (env: Record<string, string | undefined> = {}) => loadConfig({ DATA_DIR: dataDir, ...env });

  /** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
  const errorOf = (env: Record<string, string | undefined>): ConfigError => {
    try {
      load(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
  };

  describe('HELP_URL', () => {
    it("links every page's Help to the console's own help page by default", () => {
      expect(load().helpUrl).toBe('/assets/help.html');
    });

    it('takes a support site or a mailto: address', () => {
      expect(load({ HELP_URL: 'https://support.example.com/lmp' }).helpUrl).toBe('https://support.example.com/lmp');
      expect(load({ HELP_URL: 'mailto:help@example.com' }).helpUrl).toBe('mailto:help@example.com');
    });

    it('refuses anything else, naming the variable', () => {
      expect(errorOf({ HELP_URL: 'not a url' }).message).toBe('HELP_URL: is not a valid URL');
      expect(errorOf({ HELP_URL: 'javascript:alert(1)' }).message).toBe(
        'HELP_URL: must start with http:// or https://',
      );
    });
  });

  describe('defaults', () => {
    it('listens on port 3000 with a localhost public URL without a trailing slash', () => {
      const sut = load();

      expect(sut.port).toBe(3000);
      expect(sut.publicUrl).toBe('http://localhost:3000');
      expect(sut.secureCookies).toBe(false);
      expect(sut.production).toBe(false);
    });

    it('keeps the SQLite database under DATA_DIR', () => {
      const sut = load();

      expect(sut.dataDir).toBe(dataDir);
      expect(sut.database).toEqual({ type: 'sqlite', path: join(dataDir, 'lmp.sqlite') });
    });

    it('runs in embedded mode (no Redis) when REDIS_URL is unset', () => {
      const sut = load();

      expect(sut.redis).toBeUndefined();
      expect(sut.demoOnFirstStart).toBe(true);
      expect(sut.migrateOnStart).toBe(true);
    });

    it('uses the queue prefix "lmp", log level info and 20 workers', () => {
      const sut = load();

      expect(sut.queuePrefix).toBe('lmp');
      expect(sut.logLevel).toBe('info');
      expect(sut.workerConcurrency).toBe(20);
      expect(sut.mailAttempts).toBe(8);
    });

    it('queues an overdue outbox row again a minute late, holding a row being sent for a minute, or as configured', () => {
      expect(load()).toMatchObject({ outboxOverdueGraceMs: 60_000, outboxLeaseMs: 60_000 });
      expect(load({ OUTBOX_OVERDUE_GRACE_MS: '0', OUTBOX_LEASE_MS: '5000' })).toMatchObject({
        outboxOverdueGraceMs: 0,
        outboxLeaseMs: 5000,
      });
    });

    it('calls a license expiring 30 days before its expiry, or as configured', () => {
      expect(load().licenseExpiringDays).toBe(30);
      expect(load({ LICENSE_EXPIRING_DAYS: '45' }).licenseExpiringDays).toBe(45);
      expect(load({ LICENSE_EXPIRING_DAYS: '0' }).licenseExpiringDays).toBe(0);
    });

    it('keeps webhooks off private networks, retries them for about a day and disables one after 5 dead deliveries', () => {
      expect(load()).toMatchObject({
        webhookAllowPrivateNetworks: false,
        webhookRetryScheduleMs: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000],
        webhookDisableAfterDead: 5,
      });
      expect(
        load({
          WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
          WEBHOOK_RETRY_SCHEDULE: '20ms, 1s,2m',
          WEBHOOK_DISABLE_AFTER_DEAD: '2',
        }),
      ).toMatchObject({
        webhookAllowPrivateNetworks: true,
        webhookRetryScheduleMs: [20, 1000, 120_000],
        webhookDisableAfterDead: 2,
      });
    });

    it.each([
      [{ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe' }, /WEBHOOK_ALLOW_PRIVATE_NETWORKS: must be true or false/],
      [{ WEBHOOK_RETRY_SCHEDULE: '5 minutes' }, /WEBHOOK_RETRY_SCHEDULE: must be waits like 5s,5m,2h/],
      [{ WEBHOOK_RETRY_SCHEDULE: '5s,,5m' }, /WEBHOOK_RETRY_SCHEDULE/],
      [{ WEBHOOK_RETRY_SCHEDULE: '25h' }, /WEBHOOK_RETRY_SCHEDULE: each wait must be at most 24h/],
      [{ WEBHOOK_DISABLE_AFTER_DEAD: '0' }, /WEBHOOK_DISABLE_AFTER_DEAD: must be between 1 and 1000/],
    ])('refuses the webhook setting %j', (env, message) => {
      expect(() => load(env)).toThrow(message);
    });

    it('scans licenses for expiry notices every hour, or as configured', () => {
      expect(load().licenseScanIntervalMinutes).toBe(60);
      expect(load({ LICENSE_SCAN_INTERVAL_MINUTES: '15' }).licenseScanIntervalMinutes).toBe(15);
    });

    it('sends mail from no-reply at the public host', () => {
      const sut = load({ PUBLIC_URL: 'https://console.example.com' });

      expect(sut.mailFrom).toBe('LMP <no-reply@console.example.com>');
    });
  });

  describe('valid values', () => {
    it('drops the trailing slash of PUBLIC_URL, keeping its path', () => {
      const sut = load({ PUBLIC_URL: 'https://lmp.example.com/console/' });

      expect(sut.publicUrl).toBe('https://lmp.example.com/console');
    });

    it('turns on secure cookies for an https PUBLIC_URL', () => {
      expect(load({ PUBLIC_URL: 'https://lmp.example.com' }).secureCookies).toBe(true);
      expect(load({ PUBLIC_URL: 'http://lmp.example.com' }).secureCookies).toBe(false);
    });

    it('reads mysql:// as a MySQL database', () => {
      const sut = load({ DATABASE_URL: 'mysql://lmp:pw@db:3306/lmp' });

      expect(sut.database).toEqual({ type: 'mysql', url: 'mysql://lmp:pw@db:3306/lmp' });
      expect(sut.migrateOnStart).toBe(false);
    });

    it('reads mariadb:// as MariaDB and hands the driver a mysql:// URL', () => {
      const sut = load({ DATABASE_URL: 'mariadb://lmp:pw@db:3306/lmp' });

      expect(sut.database).toEqual({ type: 'mariadb', url: 'mysql://lmp:pw@db:3306/lmp' });
    });

    it('reads DATABASE_REPLICA_URLS beside a MySQL primary, with a 5 s lag limit unless REPLICA_MAX_LAG_MS says otherwise', () => {
      const sut = load({
        DATABASE_URL: 'mysql://lmp:pw@db:3306/lmp',
        DATABASE_REPLICA_URLS: 'mysql://ro:pw@db-r1:3306/lmp, mariadb://ro:pw@db-r2:3306/lmp',
      });

      expect(sut.databaseReplicaUrls).toEqual(['mysql://ro:pw@db-r1:3306/lmp', 'mysql://ro:pw@db-r2:3306/lmp']);
      expect(sut.replicaMaxLagMs).toBe(5000);
      expect(load({ REPLICA_MAX_LAG_MS: '2000' }).replicaMaxLagMs).toBe(2000);
      expect(load({}).databaseReplicaUrls).toEqual([]);
    });

    it('leaves embedded mode when REDIS_URL is set', () => {
      const sut = load({ REDIS_URL: 'redis://cache:6379' });

      expect(sut.redis).toEqual({ mode: 'standalone', url: 'redis://cache:6379' });
      expect(sut.demoOnFirstStart).toBe(false);
    });

    it('takes a Redis Cluster from REDIS_CLUSTER_NODES, with the credentials and TLS of REDIS_URL', () => {
      const sut = load({
        REDIS_CLUSTER_NODES: ' r1:7000, 10.0.0.2:7001,[::1]:7002',
        REDIS_URL: 'rediss://app:s%40cret@cluster',
      });

      expect(sut.redis).toEqual({
        mode: 'cluster',
        nodes: [
          { host: 'r1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
          { host: '::1', port: 7002 },
        ],
        username: 'app',
        password: 's@cret',
        tls: true,
      });
      expect(sut.demoOnFirstStart).toBe(false);
    });

    it('takes Sentinels with the master name, the sentinel password and the database of REDIS_URL', () => {
      const sut = load({
        REDIS_SENTINELS: 's1:26379,s2:26379',
        REDIS_SENTINEL_NAME: 'lmp-master',
        REDIS_SENTINEL_PASSWORD: 'spw',
        REDIS_URL: 'redis://:pw@master/3',
      });

      expect(sut.redis).toEqual({
        mode: 'sentinel',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
        name: 'lmp-master',
        sentinelPassword: 'spw',
        db: 3,
        username: undefined,
        password: 'pw',
        tls: false,
      });
    });

    it('names the process hostname:pid unless PROCESS_NAME says otherwise', () => {
      expect(load().processName).toMatch(new RegExp(`:${process.pid}$`));
      expect(load({ PROCESS_NAME: 'console-2' }).processName).toBe('console-2');
    });

    it('accepts a 32-byte key as 64 hex digits or as base64', () => {
      const hex = load({ DATA_ENCRYPTION_KEY: HEX_KEY });
      const base64 = load({ DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });

      expect(hex.dataEncryptionKey).toEqual(Buffer.from(HEX_KEY, 'hex'));
      expect(base64.dataEncryptionKey).toEqual(Buffer.alloc(32, 7));
    });

    it('starts in production when both secrets are given, without writing secrets.json', () => {
      const sut = load(PRODUCTION);

      expect(sut.production).toBe(true);
      expect(sut.sessionSecret).toBe(SECRET);
      expect(sut.demoOnFirstStart).toBe(false);
      expect(existsSync(join(dataDir, 'secrets.json'))).toBe(false);
    });

    it('runs production with Secure cookies (and so HSTS) and the scrape token', () => {
      const sut = load(PRODUCTION);

      expect(sut.secureCookies).toBe(true);
      expect(sut.metricsToken).toBe('scrape-token');
    });

    it('runs production on plain http only when ALLOW_INSECURE_HTTP=true says so', () => {
      const sut = load({ ...PRODUCTION, PUBLIC_URL: 'http://lmp.internal:3000', ALLOW_INSECURE_HTTP: 'true' });

      expect(sut.publicUrl).toBe('http://lmp.internal:3000');
      expect(sut.secureCookies).toBe(false);
    });

    it('leaves plain http and an open /metrics to development', () => {
      const sut = load({ PUBLIC_URL: 'http://localhost:3000' });

      expect(sut.secureCookies).toBe(false);
      expect(sut.metricsToken).toBeUndefined();
    });
  });

  describe('generated secrets', () => {
    it('writes secrets.json into DATA_DIR on the first start', () => {
      const sut = load();

      const file = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { sessionSecret: string };
      expect(file.sessionSecret).toBe(sut.sessionSecret);
      expect(sut.sessionSecret.length).toBeGreaterThanOrEqual(32);
      expect(sut.dataEncryptionKey).toHaveLength(32);
    });

    it('reuses the same secrets on the next start, so sessions and encrypted data survive a restart', () => {
      const first = load();
      const second = load();

      expect(second.sessionSecret).toBe(first.sessionSecret);
      expect(second.dataEncryptionKey.equals(first.dataEncryptionKey)).toBe(true);
    });

    it('prefers a SESSION_SECRET from the environment over the generated one', () => {
      const sut = load({ SESSION_SECRET: SECRET });

      expect(sut.sessionSecret).toBe(SECRET);
    });
  });

  describe('bad values: one ConfigError naming the variable', () => {
    it.each<[string, Record<string, string | undefined>]>([
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['PUBLIC_URL', { PUBLIC_URL: 'ftp://x' }],
      ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
      ['PUBLIC_URL', { PUBLIC_URL: 'https://lmp.example.com/?tenant=1' }],
      ['PUBLIC_URL', { PUBLIC_URL: 'https://lmp.example.com/#top' }],
      ['DATABASE_URL', { DATABASE_URL: 'postgres://u:p@db:5432/lmp' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://host' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://u:p@host:3306/' }],
      ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }],
      ['DATABASE_REPLICA_URLS', { DATABASE_REPLICA_URLS: 'mysql://ro@r1:3306/lmp' }],
      ['DATABASE_REPLICA_URLS', { DATABASE_URL: 'mysql://u@db:3306/lmp', DATABASE_REPLICA_URLS: 'mysql://ro@r1:3306' }],
      ['DATABASE_REPLICA_URLS', { DATABASE_URL: 'mysql://u@db:3306/lmp', DATABASE_REPLICA_URLS: 'redis://r1/lmp' }],
      ['DATABASE_REPLICA_URLS', { DATABASE_URL: 'mysql://u@db:3306/lmp', DATABASE_REPLICA_URLS: 'mysql://r1/lmp,,' }],
      ['REPLICA_MAX_LAG_MS', { REPLICA_MAX_LAG_MS: '10' }],
      ['REDIS_URL', { REDIS_URL: 'http://x' }],
      ['SMTP_URL', { SMTP_URL: 'http://mail' }],
      ['WORKER_CONCURRENCY', { WORKER_CONCURRENCY: '0' }],
      ['MAIL_ATTEMPTS', { MAIL_ATTEMPTS: '-1' }],
      ['QUEUE_PREFIX', { QUEUE_PREFIX: 'my prefix' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['DATA_ENCRYPTION_KEY', { DATA_ENCRYPTION_KEY: 'c2hvcnQ=' }],
      ['DATA_ENCRYPTION_KEY', { DATA_ENCRYPTION_KEY: 'ab'.repeat(31) }],
      ['SESSION_SECRET', { SESSION_SECRET: 'too-short' }],
      ['SESSION_SECRET', { NODE_ENV: 'production', DATA_ENCRYPTION_KEY: HEX_KEY }],
      ['DATA_ENCRYPTION_KEY', { NODE_ENV: 'production', SESSION_SECRET: SECRET }],
      ['PUBLIC_URL', { ...PRODUCTION, PUBLIC_URL: 'http://lmp.example.com' }],
      ['PUBLIC_URL', { ...PRODUCTION, PUBLIC_URL: undefined }],
      ['PUBLIC_URL', { ...PRODUCTION, PUBLIC_URL: 'http://lmp.example.com', ALLOW_INSECURE_HTTP: 'false' }],
      ['ALLOW_INSECURE_HTTP', { ...PRODUCTION, PUBLIC_URL: 'http://lmp.example.com', ALLOW_INSECURE_HTTP: 'sure' }],
      ['METRICS_TOKEN', { ...PRODUCTION, METRICS_TOKEN: undefined }],
      ['METRICS_TOKEN', { ...PRODUCTION, METRICS_TOKEN: '  ' }],
      ['MIGRATE_ON_START', { MIGRATE_ON_START: 'maybe' }],
      ['TRUST_PROXY', { TRUST_PROXY: '11' }],
      ['LICENSE_EXPIRING_DAYS', { LICENSE_EXPIRING_DAYS: 'soon' }],
      ['LICENSE_EXPIRING_DAYS', { LICENSE_EXPIRING_DAYS: '5000' }],
      ['LICENSE_SCAN_INTERVAL_MINUTES', { LICENSE_SCAN_INTERVAL_MINUTES: '0' }],
      ['LICENSE_SCAN_INTERVAL_MINUTES', { LICENSE_SCAN_INTERVAL_MINUTES: 'hourly' }],
      ['OUTBOX_OVERDUE_GRACE_MS', { OUTBOX_OVERDUE_GRACE_MS: 'a minute' }],
      ['OUTBOX_OVERDUE_GRACE_MS', { OUTBOX_OVERDUE_GRACE_MS: '-5' }],
      ['OUTBOX_LEASE_MS', { OUTBOX_LEASE_MS: '10' }],
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a:7000,b' }],
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a:70000' }],
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'redis://a:7000' }],
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' }],
      ['REDIS_URL', { REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://:pw@cluster/2' }],
      ['REDIS_SENTINEL_NAME', { REDIS_SENTINELS: 's:26379' }],
      ['REDIS_SENTINEL_NAME', { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'my master' }],
      ['REDIS_SENTINEL_NAME', { REDIS_SENTINEL_NAME: 'mymaster' }],
      ['REDIS_SENTINEL_PASSWORD', { REDIS_SENTINEL_PASSWORD: 'pw' }],
      ['REDIS_URL', { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://h/db' }],
      ['QUEUE_PREFIX', { QUEUE_PREFIX: '{lmp}', REDIS_CLUSTER_NODES: 'a:7000' }],
      ['PROCESS_NAME', { PROCESS_NAME: 'console one' }],
    ])('%s is refused for %j', (variable, env) => {
      const err = errorOf(env);

      expect(err.variable).toBe(variable);
      expect(err.message.startsWith(`${variable}: `)).toBe(true);
      expect(err.message).not.toContain('\n');
    });

    it('says how to run production on plain http on purpose', () => {
      expect(errorOf({ ...PRODUCTION, PUBLIC_URL: 'http://lmp.example.com' }).message).toBe(
        'PUBLIC_URL: must start with https:// when NODE_ENV=production, got "http://lmp.example.com" (set ALLOW_INSECURE_HTTP=true to run on plain http)',
      );
    });

    it('refuses production without SESSION_SECRET before generating any secret', () => {
      errorOf({ NODE_ENV: 'production' });

      expect(existsSync(join(dataDir, 'secrets.json'))).toBe(false);
    });
  });
});
