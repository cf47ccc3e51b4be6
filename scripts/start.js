// npm start: the console on the embedded default (SQLite, in-process jobs, mail to files).
const { spawn } = require('node:child_process');
const { ensureBuilt } = require('./ensure-built');

const bundle = ensureBuilt('console');
const env = { LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json', ...process.env };
const child = spawn(process.execPath, [bundle], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
