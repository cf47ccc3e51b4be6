import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../net';

const run = promisify(execFile);

import { killAtExit } from './processes';

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The engine processes of one test (servers on free ports, data in a temporary directory of
 * their own). `stop()` kills them all and removes the directory; call it in afterAll, and it
 * still happens at exit if the test process dies first.
 */
export class EngineSet {
  readonly dir = mkdtempSync(join(tmpdir(), 'lmp-engines-'));
  private readonly children = new Map<number, ChildProcess>();

  /** Starts `cmd` with its output in `<dir>/<name>.log`; `key` (its port) names it for kill(). */
  spawn(key: number, name: string, cmd: string, args: string[]): ChildProcess {
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', log, log], cwd: this.dir });
    closeSync(log);
    killAtExit(child);
    this.children.set(key, child);
    return child;
  }

  /** A directory of its own for one engine. */
  subdir(name: string): string {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  async kill(key: number): Promise<void> {
    const child = this.children.get(key);
    this.children.delete(key);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((k) => this.kill(k)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `redis-cli -p <port> <args…>`: the answer as text (throws if the server does not answer). */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

const ping = async (port: number) => (await redisCli(port, 'PING')) === 'PONG';

/** One `redis-server` (no persistence) on a free port, in a directory of its own. */
export async function startRedisServer(engines: EngineSet, name: string, extra: string[] = []): Promise<number> {
  const port = await freePort();
  const dir = engines.subdir(`${name}-${port}`);
  engines.spawn(port, `${name}-${port}`, 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extra,
  ]);
  await waitFor(`redis-server on ${port}`, () => ping(port), 10_000);
  return port;
}

/**
 * A Redis Cluster of `masters` masters, each with one replica, on free ports. `nodeTimeoutMs`
 * (cluster-node-timeout) bounds how long a killed master takes to be replaced.
 */
export class RedisClusterEngine {
  private constructor(
    readonly engines: EngineSet,
    readonly ports: number[],
  ) {}

  static async start(masters = 3, nodeTimeoutMs = 1000): Promise<RedisClusterEngine> {
    const engines = new EngineSet();
    try {
      const ports = await Promise.all(
        Array.from({ length: masters * 2 }, () =>
          startRedisServer(engines, 'cluster', [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(nodeTimeoutMs),
            // A replica takes over however long it was cut off: the outbox covers what it missed.
            '--cluster-replica-validity-factor',
            '0',
          ]),
        ),
      );
      await run(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
        { timeout: 30_000 },
      );
      const cluster = new RedisClusterEngine(engines, ports);
      await cluster.waitHealthy(masters);
      return cluster;
    } catch (err) {
      await engines.stop();
      throw err;
    }
  }

  /** Seed nodes for REDIS_CLUSTER_NODES. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  private get live(): number[] {
    return this.ports.filter((p) => !this.killed.has(p));
  }

  private readonly killed = new Set<number>();

  /** `masters` masters, each with a replica in sync (unless it was killed), and every slot served. */
  async waitHealthy(masters: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'the cluster to be ok on every node',
      async () => {
        for (const port of this.live) {
          if (!(await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        }
        const nodes = await this.nodeTable(this.live[0]);
        return nodes.filter((n) => n.master && n.connected).length >= masters;
      },
      timeoutMs,
    );
    await waitFor(
      'every replica to be in sync',
      async () => {
        for (const port of this.live) {
          const info = await redisCli(port, 'INFO', 'replication');
          if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
        }
        return true;
      },
      timeoutMs,
    );
  }

  private async nodeTable(port: number) {
    const text = await redisCli(port, 'CLUSTER', 'NODES');
    return text.split('\n').map((line) => {
      const [, address, flags, , , , , state, ...slots] = line.split(' ');
      return {
        port: Number(address.split('@')[0].split(':')[1]),
        master: flags.includes('master') && !flags.includes('fail'),
        connected: state === 'connected',
        slots,
      };
    });
  }

  /** The port of the master that serves `key`'s slot now. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await redisCli(this.live[0], 'CLUSTER', 'KEYSLOT', key));
    for (const node of await this.nodeTable(this.live[0])) {
      if (!node.master) continue;
      for (const range of node.slots) {
        const [from, to] = range.split('-').map(Number);
        if (slot >= from && slot <= (to ?? from)) return node.port;
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGKILL one node; its replica takes over after cluster-node-timeout. */
  async kill(port: number): Promise<void> {
    this.killed.add(port);
    await this.engines.kill(port);
  }

  /** Waits until `key`'s slot is served by a master other than `oldMaster`. */
  async waitFailover(key: string, oldMaster: number, timeoutMs = 30_000): Promise<number> {
    let master = oldMaster;
    await waitFor(
      `a replica to take over from ${oldMaster}`,
      async () => {
        master = await this.masterOf(key);
        return master !== oldMaster && (await redisCli(master, 'CLUSTER', 'INFO')).includes('cluster_state:ok');
      },
      timeoutMs,
    );
    return master;
  }

  stop(): Promise<void> {
    return this.engines.stop();
  }
}

/**
 * A master, one replica and `sentinels` Sentinels watching the master as `name` (quorum 1,
 * down after `downAfterMs`), on free ports.
 */
export class RedisSentinelEngine {
  readonly name = 'lmp-master';
  private constructor(
    readonly engines: EngineSet,
    public master: number,
    public replica: number,
    readonly sentinels: number[],
  ) {}

  static async start(sentinelCount = 1, downAfterMs = 1000): Promise<RedisSentinelEngine> {
    const engines = new EngineSet();
    try {
      const master = await startRedisServer(engines, 'master');
      const replica = await startRedisServer(engines, 'replica', ['--replicaof', '127.0.0.1', String(master)]);
      await waitFor(
        'the replica to sync',
        async () => (await redisCli(replica, 'INFO', 'replication')).includes('master_link_status:up'),
        15_000,
      );
      const sentinels: number[] = [];
      for (let i = 0; i < sentinelCount; i++) {
        const port = await freePort();
        const dir = engines.subdir(`sentinel-${port}`);
        const conf = join(dir, 'sentinel.conf');
        writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor lmp-master 127.0.0.1 ${master} 1`,
            `sentinel down-after-milliseconds lmp-master ${downAfterMs}`,
            'sentinel failover-timeout lmp-master 5000',
            'sentinel parallel-syncs lmp-master 1',
            '',
          ].join('\n'),
        );
        engines.spawn(port, `sentinel-${port}`, 'redis-server', [conf, '--sentinel']);
        await waitFor(`sentinel on ${port}`, () => ping(port), 10_000);
        sentinels.push(port);
      }
      const engine = new RedisSentinelEngine(engines, master, replica, sentinels);
      // A Sentinel learns of the replica from the master's INFO: it can fail over only then.
      await waitFor(
        'the sentinels to know the replica',
        async () => {
          for (const s of sentinels) {
            if (!(await redisCli(s, 'SENTINEL', 'REPLICAS', engine.name)).includes(String(replica))) return false;
          }
          return true;
        },
        20_000,
      );
      return engine;
    } catch (err) {
      await engines.stop();
      throw err;
    }
  }

  /** For REDIS_SENTINELS. */
  get sentinelNodes(): string {
    return this.sentinels.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async masterPort(): Promise<number> {
    const answer = await redisCli(this.sentinels[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name);
    return Number(answer.split('\n')[1]);
  }

  /** SIGKILLs the master and waits until the Sentinels have promoted the replica. */
  async killMaster(timeoutMs = 30_000): Promise<void> {
    const old = this.master;
    await this.engines.kill(old);
    await waitFor('the sentinels to promote the replica', async () => (await this.masterPort()) !== old, timeoutMs);
    await waitFor(
      'the promoted replica to take writes',
      async () => (await redisCli(this.replica, 'ROLE')).startsWith('master'),
      timeoutMs,
    );
    this.master = this.replica;
  }

  stop(): Promise<void> {
    return this.engines.stop();
  }
}
