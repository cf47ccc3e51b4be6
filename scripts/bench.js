// npm run bench -- [--only B1,B2] [--seconds N] [--scale small|full]: BENCHMARKS.md's benchmarks
// against the built apps, real MariaDB and Redis. Builds what is missing or stale, then runs the
// TypeScript harness in test/bench/ (ts-node, transpile only). See README, "Performance".
const { spawn } = require('node:child_process');
const os = require('node:os');
const { join } = require('node:path');
const { ensureBuilt } = require('./ensure-built');

const root = join(__dirname, '..');
for (const app of ['console', 'worker', 'cli']) ensureBuilt(app);

const env = {
  ...process.env,
  // The B1 ceiling hashes in this process: its thread pool is sized to the cores, like the console's.
  UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE || String(os.availableParallelism()),
  TS_NODE_PROJECT: join(root, 'tsconfig.json'),
};
const child = spawn(
  process.execPath,
  [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    join(root, 'test', 'bench', 'main.ts'),
    ...process.argv.slice(2),
  ],
  { cwd: root, env, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
