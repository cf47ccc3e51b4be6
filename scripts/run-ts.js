// Runs a TypeScript entry of the repository (ts-node, transpile only, the @lmp/* paths of
// tsconfig.json) with this process's arguments, passing signals on and exiting with its code.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');

function runTs(entry, env = {}) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(root, entry),
      ...process.argv.slice(2),
    ],
    { cwd: root, env: { ...process.env, ...env, TS_NODE_PROJECT: join(root, 'tsconfig.json') }, stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

module.exports = { runTs };
