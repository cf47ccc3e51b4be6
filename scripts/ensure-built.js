// Builds an app when its bundle is missing or older than any source file, so that
// `npm start` and `npm run lmp` work straight after `npm install` and after edits.
const { statSync, readdirSync, existsSync, utimesSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');

function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

function ensureBuilt(app) {
  const bundle = join(root, 'dist', 'apps', app, 'main.js');
  const sources = Math.max(newest(join(root, 'apps', app, 'src')), newest(join(root, 'libs')));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return bundle;
  process.stderr.write(`building ${app}...\n`);
  try {
    execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', app], {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
    });
  } catch {
    process.stderr.write(`building ${app} failed (see above)\n`);
    process.exit(1);
  }
  // webpack leaves an unchanged bundle as it was (older than the edited source): mark it fresh.
  const now = new Date();
  utimesSync(bundle, now, now);
  return bundle;
}

module.exports = { ensureBuilt };
