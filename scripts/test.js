// npm test: type check, formatting, lint (type-aware), then every test tier (unit, e2e, integration, browser).
// Integration needs MariaDB and Redis (TEST_DATABASE_URL, TEST_REDIS_URL; defaults to
// the local root@127.0.0.1:3306 and 127.0.0.1:6379); browser needs /usr/bin/chromium.
const { spawnSync } = require('node:child_process');

function run(label, cmd, args) {
  const started = Date.now();
  process.stderr.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  process.stderr.write(
    `== ${label}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { join } = require('node:path');
const bin = (name) => join(__dirname, '..', 'node_modules', name);
run('type check', process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
run('format', process.execPath, [
  bin('prettier/bin/prettier.cjs'),
  '--check',
  '{apps,libs,test}/**/*.ts',
  'scripts/*.js',
]);
run('lint', process.execPath, [bin('eslint/bin/eslint.js'), '--max-warnings=0', 'apps', 'libs', 'test']);
// --forceExit: the engine tests kill Redis and MariaDB servers under clients that go on retrying
// them; once every result is in, the run ends instead of waiting on those clients' timers.
run('tests', process.execPath, [bin('jest/bin/jest.js'), '--ci', '--forceExit', ...process.argv.slice(2)]);
