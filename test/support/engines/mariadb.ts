import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection, createConnection, RowDataPacket } from 'mysql2/promise';
import { freePort } from '../net';

const run = promisify(execFile);
const MARIADBD = process.env.MARIADBD_PATH || '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB_PATH || 'mariadb-install-db';

import { killAtExit } from './processes';

/** One private `mariadbd` on a free port, with its data directory under the test's temporary folder. */
export class MariaDbServer {
  private child?: ChildProcess;
  port = 0;

  constructor(
    readonly name: string,
    private readonly dataDir: string,
    private readonly serverId: number,
  ) {}

  /** A URL for the app (root, no password, over TCP). */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    this.child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--socket=${this.dataDir}/mysqld.sock`,
        `--pid-file=${this.dataDir}/mysqld.pid`,
        `--log-error=${this.dataDir}/error.log`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--server-id=${this.serverId}`,
        '--log-bin=binlog',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=64M',
        '--max-connections=200',
        ...asRoot,
      ],
      { stdio: 'ignore' },
    );
    killAtExit(this.child);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const c = await this.connect();
        await c.end();
        return;
      } catch (err) {
        if (!this.running || Date.now() > deadline) {
          await this.kill();
          const log = join(this.dataDir, 'error.log');
          const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-8).join('\n') : '';
          throw new Error(`mariadbd ${this.name} did not start (${(err as Error).message}):\n${tail}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  connect(): Promise<Connection> {
    return createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 2000 });
  }

  /** Runs statements on this server, one connection each time. */
  async query<T extends RowDataPacket>(sql: string): Promise<T[]> {
    const c = await this.connect();
    try {
      const [rows] = await c.query<T[]>(sql);
      return rows;
    } finally {
      await c.end();
    }
  }

  /** A global status counter, e.g. Com_select: how many SELECT statements the server has run. */
  async status(name: string): Promise<number> {
    const rows = await this.query<RowDataPacket>(`SHOW GLOBAL STATUS LIKE '${name}'`);
    return Number(rows[0]?.Value ?? NaN);
  }

  /** SIGKILL, as a crash or a pulled cable would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

/**
 * A MariaDB primary and a replica following it by binary-log replication (GTID), each a private
 * `mariadbd` on a free port with a data directory under a temporary folder; `stop()` kills both
 * and removes the folder. Needs the mariadb-server package (mariadbd, mariadb-install-db).
 */
export class MariaDbReplicaPair {
  readonly primary: MariaDbServer;
  readonly replica: MariaDbServer;

  private constructor(private readonly root: string) {
    this.primary = new MariaDbServer('primary', join(root, 'primary'), 1);
    this.replica = new MariaDbServer('replica', join(root, 'replica'), 2);
  }

  static async start(database: string): Promise<MariaDbReplicaPair> {
    const pair = new MariaDbReplicaPair(mkdtempSync(join(tmpdir(), 'lmp-mariadb-')));
    try {
      const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
      // One initialised data directory, copied: both servers start from the same empty state.
      await run(INSTALL_DB, [
        '--no-defaults',
        `--datadir=${join(pair.root, 'primary')}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        ...asRoot,
      ]);
      cpSync(join(pair.root, 'primary'), join(pair.root, 'replica'), { recursive: true });
      await Promise.all([pair.primary.start(), pair.replica.start()]);
      await pair.replica.query(
        `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${pair.primary.port}, MASTER_USER='root', ` +
          `MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
      );
      await pair.replica.query('START SLAVE');
      await pair.primary.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await pair.caughtUp();
      return pair;
    } catch (err) {
      await pair.stop();
      throw err;
    }
  }

  /** Waits until the replica has applied everything the primary has written so far. */
  async caughtUp(timeoutMs = 15_000): Promise<void> {
    const [{ pos }] = await this.primary.query<RowDataPacket>('SELECT @@gtid_binlog_pos AS pos');
    const [row] = await this.replica.query<RowDataPacket>(
      `SELECT MASTER_GTID_WAIT('${String(pos)}', ${timeoutMs / 1000}) AS r`,
    );
    if (Number(row.r) !== 0) throw new Error(`the replica did not catch up with ${String(pos)} in ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    await Promise.all([this.primary.kill(), this.replica.kill()]);
    rmSync(this.root, { recursive: true, force: true });
  }
}
