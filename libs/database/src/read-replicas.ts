import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import type { MetricsRegistry } from '@lmp/common';
import { ENTITIES } from './entities';

/** How often each replica's lag is read, off the request path. */
export const REPLICA_CHECK_MS = 1000;
/** A replica that does not answer the check within this long is skipped. */
const CHECK_TIMEOUT_MS = 2000;

export interface ReplicaSettings {
  urls: string[];
  maxLagMs: number;
}

/** A replica's state as the last check saw it. */
interface Replica {
  /** host:port, never the credentials. */
  label: string;
  url: string;
  ds?: DataSource;
  /** The connection pool being opened, so that a slow start is not opened twice. */
  opening?: Promise<DataSource>;
  usable: boolean;
  /** Why it is skipped (for the log line), or '' while usable. */
  reason: string;
}

type StatusRow = Record<string, unknown>;

/**
 * How far behind a replica is, in ms, from the rows of SHOW REPLICA STATUS (or SHOW SLAVE STATUS):
 * a string saying why it cannot be used when it is not replicating at all.
 */
export function replicationLag(rows: StatusRow[]): number | string {
  if (rows.length === 0) return 'it is not a replica (SHOW REPLICA STATUS is empty)';
  let worst = 0;
  for (const row of rows) {
    const seconds = row.Seconds_Behind_Master ?? row.Seconds_Behind_Source;
    if (seconds === null || seconds === undefined) return 'replication is stopped (Seconds_Behind_Master is NULL)';
    worst = Math.max(worst, Number(seconds) * 1000);
  }
  return worst;
}

/**
 * The read replicas (DATABASE_REPLICA_URLS). Only the read-only browse queries opt in, through
 * `read()`; everything else (writes, transactions, sign-in, tokens, sessions, any read that must see
 * a write just made) uses the primary DataSource as before, so a replica's lag can never show a
 * stale password or token. A replica that is down, not replicating, or further behind than
 * REPLICA_MAX_LAG_MS is skipped, and its reads go to the primary.
 *
 * Each replica has a DataSource of its own rather than TypeORM's `replication` option: with that
 * option every `find` and query builder outside a transaction defaults to a replica (0.3's
 * `defaultReplicationModeForReads` is "slave"), and its pool cluster picks replicas round robin
 * without knowing their lag. Here the primary DataSource stays exactly as it was.
 */
export class ReadReplicas implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReadReplicas.name);
  private readonly replicas: Replica[];
  private next = 0;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private readonly reads?: Counter<'target'>;
  private readonly usableGauge?: Gauge<'replica'>;
  private readonly lagGauge?: Gauge<'replica'>;

  constructor(
    private readonly primary: DataSource,
    private readonly settings: ReplicaSettings = { urls: [], maxLagMs: 5000 },
    metrics?: MetricsRegistry,
  ) {
    this.replicas = settings.urls.map((url) => {
      const u = new URL(url);
      return { label: `${u.hostname}:${u.port || 3306}`, url, usable: false, reason: 'not checked yet' };
    });
    if (metrics && this.replicas.length > 0) {
      const registers = [metrics.registry];
      this.reads = new Counter({
        name: 'lmp_db_replica_reads_total',
        help: 'Read-only browse queries by where they ran: target="replica", or "primary" when no replica was usable',
        labelNames: ['target'],
        registers,
      });
      this.usableGauge = new Gauge({
        name: 'lmp_db_replica_usable',
        help: '1 while the read replica is used, 0 while it is skipped (down, stopped or lagging)',
        labelNames: ['replica'],
        registers,
      });
      this.lagGauge = new Gauge({
        name: 'lmp_db_replica_lag_seconds',
        help: 'Seconds_Behind_Master of the read replica at the last check (-1: unknown)',
        labelNames: ['replica'],
        registers,
      });
    }
  }

  /** Replicas in use right now, by host:port (for tests and the log). */
  usable(): string[] {
    return this.replicas.filter((r) => r.usable).map((r) => r.label);
  }

  async onModuleInit(): Promise<void> {
    if (this.replicas.length === 0) return;
    await this.check();
    this.timer = setInterval(() => void this.check(), REPLICA_CHECK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await Promise.all(this.replicas.map((r) => r.ds?.isInitialized && r.ds.destroy().catch(() => undefined)));
  }

  /**
   * Runs read-only `work` on a usable replica (in turn), else on the primary. Work that fails on a
   * replica runs again on the primary (it only reads), and a replica whose connection failed is
   * skipped until the next check finds it well.
   */
  async read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const replica = this.pick();
    if (!replica?.ds) {
      if (this.replicas.length > 0) this.reads?.inc({ target: 'primary' });
      return work(this.primary.manager);
    }
    try {
      const result = await work(replica.ds.manager);
      this.reads?.inc({ target: 'replica' });
      return result;
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as { driverError?: { code?: string } }).driverError?.code;
      if (code && /^(ECONN|ETIMEDOUT|EHOSTUNREACH|PROTOCOL_|ER_CON_COUNT|ENOTFOUND)/.test(code)) {
        this.mark(replica, false, `a query failed: ${code}`);
      } else {
        this.logger.warn({ replica: replica.label, err }, 'a read failed on the replica; running it on the primary');
      }
      this.reads?.inc({ target: 'primary' });
      return work(this.primary.manager);
    }
  }

  private pick(): Replica | undefined {
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length];
      if (r.usable) {
        this.next = (this.next + i + 1) % this.replicas.length;
        return r;
      }
    }
    return undefined;
  }

  /** Reads every replica's lag; one check at a time, so a hung replica cannot pile them up. */
  private check(): Promise<void> {
    this.checking ??= Promise.all(this.replicas.map((r) => this.checkOne(r))).then(
      () => void (this.checking = undefined),
    );
    return this.checking;
  }

  private async checkOne(replica: Replica): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`it did not answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
    });
    try {
      const lag = await Promise.race([this.lagOf(replica), timeout]);
      this.lagGauge?.set({ replica: replica.label }, typeof lag === 'number' ? lag / 1000 : -1);
      if (typeof lag === 'string') this.mark(replica, false, lag);
      else if (lag > this.settings.maxLagMs) {
        this.mark(replica, false, `it is ${lag / 1000} s behind (REPLICA_MAX_LAG_MS=${this.settings.maxLagMs})`);
      } else this.mark(replica, true, '');
    } catch (err) {
      this.lagGauge?.set({ replica: replica.label }, -1);
      this.mark(replica, false, `it cannot be reached: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async lagOf(replica: Replica): Promise<number | string> {
    if (!replica.ds) {
      replica.opening ??= new DataSource({
        type: 'mysql',
        url: replica.url,
        entities: ENTITIES,
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
        logging: ['error'],
        extra: {
          connectionLimit: 10,
          waitForConnections: true,
          enableKeepAlive: true,
          connectTimeout: CHECK_TIMEOUT_MS,
        },
      })
        .initialize()
        .finally(() => (replica.opening = undefined));
      replica.ds = await replica.opening;
    }
    let rows: StatusRow[];
    try {
      rows = await replica.ds.query('SHOW REPLICA STATUS');
    } catch (err) {
      // MariaDB before 10.5 and MySQL before 8.0.22 know only the older name.
      if ((err as { code?: string }).code !== 'ER_PARSE_ERROR') throw err;
      rows = await replica.ds.query('SHOW SLAVE STATUS');
    }
    return replicationLag(rows);
  }

  private mark(replica: Replica, usable: boolean, reason: string): void {
    this.usableGauge?.set({ replica: replica.label }, usable ? 1 : 0);
    if (usable && !replica.usable) {
      this.logger.log({ replica: replica.label }, `read replica ${replica.label} is in use for browse reads`);
    } else if (!usable && (replica.usable || replica.reason === 'not checked yet')) {
      const others = this.replicas.some((r) => r !== replica && r.usable);
      this.logger.warn(
        { replica: replica.label, reason },
        `read replica ${replica.label} skipped: ${reason}; its reads go to ${others ? 'the other replicas' : 'the primary'}`,
      );
    }
    replica.usable = usable;
    replica.reason = reason;
  }
}
