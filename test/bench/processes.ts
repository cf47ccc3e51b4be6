import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, WriteStream } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { freePort } from '../support/net';

export { freePort };

export const ROOT = join(__dirname, '..', '..');
export const bundle = (app: 'console' | 'worker' | 'cli') => join(ROOT, 'dist', 'apps', app, 'main.js');

/** GET http://127.0.0.1:port/path → status (0 when nothing answers). */
export function probe(port: number, path: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Peak and current resident set size of a process, in MB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/**
 * One of the built apps as its own process (`node dist/apps/<app>/main.js`), with its output
 * in a log file. Stopped with SIGTERM, then SIGKILL if it does not exit.
 */
export class AppProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly log: WriteStream;
  private tail = '';

  constructor(
    readonly name: string,
    script: string[],
    env: Record<string, string>,
    options: { logDir: string; profileDir?: string },
  ) {
    mkdirSync(options.logDir, { recursive: true });
    this.log = createWriteStream(join(options.logDir, `${name}.log`));
    const args = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    this.child = spawn(process.execPath, [...args, ...script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.log.write(chunk);
      this.tail = (this.tail + chunk.toString()).slice(-4000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it wrote, for an error message. */
  lastOutput(lines = 5): string {
    return this.tail.trim().split('\n').slice(-lines).join('\n');
  }

  memory() {
    return memoryOf(this.pid);
  }

  /** Resolves once `ready()` is true; rejects if the process exits first or the time runs out. */
  async waitFor(what: string, ready: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before ${what}:\n${this.lastOutput()}`);
      if (await ready()) return Date.now() - started;
      if (Date.now() - started > timeoutMs) {
        throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.lastOutput()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  outputIncludes(text: string): boolean {
    return this.tail.includes(text);
  }

  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}

/** The console, answering /health/ready on `port`. */
export async function startConsole(
  name: string,
  port: number,
  env: Record<string, string>,
  options: { logDir: string; profileDir?: string },
): Promise<AppProcess> {
  const app = new AppProcess(name, [bundle('console')], { ...env, PORT: String(port) }, options);
  try {
    await app.waitFor('/health/ready = 200', async () => (await probe(port, '/health/ready')) === 200);
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

/** A worker, once it logged that it runs. */
export async function startWorker(
  name: string,
  env: Record<string, string>,
  options: { logDir: string; profileDir?: string },
): Promise<AppProcess> {
  const app = new AppProcess(name, [bundle('worker')], env, options);
  try {
    await app.waitFor('"LMP worker running"', () => app.outputIncludes('LMP worker running'));
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

/** A TypeScript file of the harness as its own process (ts-node, transpile only), once it prints `readyText`. */
export async function startScript(
  name: string,
  file: string,
  env: Record<string, string>,
  readyText: string,
  options: { logDir: string; profileDir?: string },
): Promise<AppProcess> {
  const script = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, file)];
  const app = new AppProcess(name, script, env, options);
  try {
    await app.waitFor(`"${readyText}"`, () => app.outputIncludes(readyText));
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

/**
 * CPU time (user + system) a process has used, in ms; null when it cannot be read. `main`:
 * its main thread only (the event loop), without libuv's pool and V8's helper threads.
 */
export function cpuMsOf(pid: number, main = false): number | null {
  try {
    const file = main ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return null;
  }
}

/** The pid of the first process whose command name is one of `names` (MariaDB, Redis on this machine). */
export function pidByName(...names: string[]): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/**
 * CPU time used by some processes between start() and per(n): ms per operation, by process.
 * A name ending in `:main` measures that process's main thread only.
 */
export class CpuMeter {
  private before = new Map<string, number>();

  constructor(private readonly pids: Record<string, number | null>) {}

  private read(name: string): number | null {
    const pid = this.pids[name];
    return pid ? cpuMsOf(pid, name.endsWith(':main')) : null;
  }

  start(): this {
    this.before = new Map();
    for (const name of Object.keys(this.pids)) {
      const ms = this.read(name);
      if (ms !== null) this.before.set(name, ms);
    }
    return this;
  }

  /** "console 1.20, mariadb 0.80, …" ms of CPU per operation, for `operations` operations. */
  per(operations: number): string {
    const parts: string[] = [];
    for (const [name, before] of this.before) {
      const after = this.read(name);
      if (after !== null && operations > 0) parts.push(`${name} ${((after - before) / operations).toFixed(2)}`);
    }
    return parts.join(', ');
  }
}
