// npm run fuzz -- [--requests N] [--seed N]: property-based fuzzing of every JSON route against an
// embedded console (SQLite, jobs in-process), the generator of test/e2e/fuzz.e2e-spec.ts run for
// longer. Runs the TypeScript entry test/fuzz/main.ts (ts-node, transpile only). Exit 1 on any 5xx.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const child = spawn(
  process.execPath,
  [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    join(root, 'test', 'fuzz', 'main.ts'),
    ...process.argv.slice(2),
  ],
  { cwd: root, env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.json') }, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
