// npm run bench -- [--only B1,B2] [--seconds N] [--scale small|full]: the benchmarks against the
// built apps, real MariaDB and Redis. Builds what is missing or stale, then runs the TypeScript
// harness in test/bench/. See docs/performance.md.
const os = require('node:os');
const { ensureBuilt } = require('./ensure-built');
const { runTs } = require('./run-ts');

for (const app of ['console', 'worker', 'cli']) ensureBuilt(app);
// The B1 ceiling hashes in this process: its thread pool is sized to the cores, like the console's.
runTs('test/bench/main.ts', {
  UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE || String(os.availableParallelism()),
});
