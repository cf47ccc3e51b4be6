// npm run lmp -- <command>: the command line, built on first use.
const { spawnSync } = require('node:child_process');
const { ensureBuilt } = require('./ensure-built');

const bundle = ensureBuilt('cli');
const result = spawnSync(process.execPath, [bundle, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
