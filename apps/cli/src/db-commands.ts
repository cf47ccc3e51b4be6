import { DataSource } from 'typeorm';
import { AppConfig } from '@lmp/config';
import { dataSourceOptions } from '@lmp/database';
import { flags } from './args';
import { CommandSpec } from './command';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** A command-line failure that is not a usage mistake: one line, exit code 1. */
export class CommandFailure extends Error {}

/** The database alone (no Nest, no migrations on connect), closed after the work. */
async function withDatabase<T>(config: AppConfig, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource(dataSourceOptions({ ...config, migrateOnStart: false }));
  await ds.initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

export interface MigrationState {
  name: string;
  status: 'applied' | 'pending';
  /** When it was applied (UTC); null when applied before times were kept. */
  appliedAt: string | null;
  /** Applied, but this version of LMP does not know it (the database is newer than the code). */
  unknown?: true;
}

/** The migrations table as it is, oldest first (applied_at exists once MigrationTimes ran). */
async function appliedMigrations(ds: DataSource): Promise<Array<{ name: string; appliedAt: string | null }>> {
  const q = ds.createQueryRunner();
  try {
    const table = await q.getTable('migrations');
    if (!table) return [];
    const withTime = table.findColumnByName('applied_at') !== undefined;
    const rows = (await q.query(`SELECT name${withTime ? ', applied_at' : ''} FROM migrations ORDER BY id`)) as Array<{
      name: string;
      applied_at?: Date | string | null;
    }>;
    return rows.map((r) => ({ name: r.name, appliedAt: r.applied_at ? toIso(r.applied_at) : null }));
  } finally {
    await q.release();
  }
}

/** MariaDB hands back a Date (read as UTC); SQLite the ISO text its default wrote. */
const toIso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

async function migrationStates(ds: DataSource): Promise<MigrationState[]> {
  const applied = await appliedMigrations(ds);
  const known = ds.migrations.map((m) => m.name ?? m.constructor.name);
  const done = new Set(applied.map((a) => a.name));
  return [
    ...applied.map((a): MigrationState => ({
      name: a.name,
      status: 'applied',
      appliedAt: a.appliedAt,
      ...(known.includes(a.name) ? {} : { unknown: true as const }),
    })),
    ...known.filter((n) => !done.has(n)).map((name): MigrationState => ({ name, status: 'pending', appliedAt: null })),
  ];
}

const utc = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/**
 * When each applied migration was applied. Those applied before times were kept were applied
 * by the first time recorded after them (on a new database, within the same run).
 */
function whenApplied(states: MigrationState[]): string[] {
  return states.map((s, i) => {
    if (s.status !== 'applied') return 'not applied yet';
    if (s.appliedAt) return utc(s.appliedAt);
    const later = states.slice(i + 1).find((t) => t.appliedAt)?.appliedAt;
    return later ? `by ${utc(later)}` : 'time not recorded';
  });
}

export const DB_COMMANDS: Record<string, CommandSpec> = {
  'db:migrate': {
    usage: 'db:migrate',
    summary: 'apply pending migrations',
    details: 'Applies every pending migration, each in its own transaction, and names what it applied.',
    run: async (argv, config) => {
      flags(argv, {});
      await withDatabase(config, async (ds) => {
        const applied = await ds.runMigrations({ transaction: 'each' });
        out(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
      });
    },
  },

  'db:status': {
    usage: 'db:status [--json]',
    summary: 'list the migrations: applied (with when) and pending',
    details:
      'Lists every migration, oldest first: the applied ones with when they were applied (UTC), then the\n' +
      'pending ones, which db:migrate (or MIGRATE_ON_START) would apply. Changes nothing.',
    flags: [['--json', 'one JSON array of {name, status, appliedAt}']],
    run: async (argv, config) => {
      const v = flags(argv, { json: { type: 'boolean' } });
      const states = await withDatabase(config, migrationStates);
      if (v.json) {
        out(JSON.stringify(states));
        return;
      }
      const times = whenApplied(states);
      states.forEach((s, i) =>
        out(`${s.status.padEnd(8)} ${s.name.padEnd(32)} ${times[i]}${s.unknown ? ' (not in this version)' : ''}`),
      );
      const pending = states.filter((s) => s.status === 'pending').length;
      out(pending ? `${pending} pending: lmp db:migrate applies them` : 'database is up to date');
    },
  },

  'db:revert': {
    usage: 'db:revert',
    summary: 'revert the last applied migration',
    details:
      'Reverts the migration applied last (runs its down step in a transaction) and names it. Asks\n' +
      'nothing: stop the console and workers and take a backup first. Run it again to go back further.',
    run: async (argv, config) => {
      flags(argv, {});
      await withDatabase(config, async (ds) => {
        const applied = await appliedMigrations(ds);
        const last = applied[applied.length - 1];
        if (!last) throw new CommandFailure('no migration is applied: nothing to revert');
        await ds.undoLastMigration({ transaction: 'each' });
        const after = await appliedMigrations(ds);
        if (after.some((a) => a.name === last.name)) throw new CommandFailure(`${last.name} is still applied`);
        out(`reverted ${last.name}`);
      });
    },
  },
};
