import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ProblemException } from '@lmp/common';
import { AppConfig, ConfigError, loadConfig } from '@lmp/config';
import { dataSourceOptions } from '@lmp/database';
import { InlineJobQueue, JobQueue, QueueAdminService } from '@lmp/notifications';
import { formatQueueStatus } from './queue-status';
import { BulkSeeder, ProvisioningService } from '@lmp/tenancy';
import { flags, positiveInt, required, UsageError } from './args';
import { CliModule } from './cli.module';
import { ProgressBar } from './progress';

const USAGE = `usage: lmp <command> [flags]

commands:
  db:migrate                                   apply pending migrations
  partner:create --name N --code C --admin-email E [--admin-password P] [--no-require-2fa]
                                               create a partner and its first admin (prints JSON);
                                               its staff must set up 2FA unless --no-require-2fa
  platform-admin:create --email E --password P create an operator account
  demo:seed [--customers N] [--accounts-per-customer N]
                                               a demo partner with customers, accounts and licenses
  demo:seed --partners N [--customers N] [--accounts-per-customer N] [--password P]
                                               a skewed seed at scale: one distributor with half of
                                               the customers, N-1 partners sharing the rest; kept
                                               when run again with the same sizes
  queue:status [--json]                        jobs per queue and outbox rows by status
  queue:retry --dead [--id ID]                 queue dead messages again (all, or one)`;

type Command = (argv: string[], config: AppConfig) => Promise<void>;

const out = (value: unknown) => process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);

/** Boots the domain without HTTP, runs the work, and waits for in-process mail before closing. */
async function withApp<T>(config: AppConfig, work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const result = await work(app);
    const queue = app.get(JobQueue);
    if (queue instanceof InlineJobQueue) await queue.drain();
    return result;
  } finally {
    await app.close();
  }
}

const commands: Record<string, Command> = {
  'db:migrate': async (argv, config) => {
    flags(argv, {});
    const ds = new DataSource({ ...dataSourceOptions({ ...config, migrateOnStart: false }) });
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      out(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
    } finally {
      await ds.destroy();
    }
  },

  'partner:create': async (argv, config) => {
    const v = flags(argv, {
      name: { type: 'string' },
      code: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'no-require-2fa': { type: 'boolean' },
    });
    const input = {
      name: required(v, 'name'),
      code: required(v, 'code'),
      adminEmail: required(v, 'admin-email'),
      adminPassword: typeof v['admin-password'] === 'string' ? v['admin-password'] : undefined,
      requireStaffMfa: v['no-require-2fa'] !== true,
    };
    out(await withApp(config, (app) => app.get(ProvisioningService).createPartner(input)));
  },

  'platform-admin:create': async (argv, config) => {
    const v = flags(argv, { email: { type: 'string' }, password: { type: 'string' } });
    const input = { email: required(v, 'email'), password: required(v, 'password') };
    out(await withApp(config, (app) => app.get(ProvisioningService).createPlatformAdmin(input)));
  },

  'demo:seed': async (argv, config) => {
    const v = flags(argv, {
      customers: { type: 'string' },
      'accounts-per-customer': { type: 'string' },
      partners: { type: 'string' },
      password: { type: 'string' },
    });
    if (v.partners !== undefined) return bulkSeed(v, config);
    if (v.password !== undefined) throw new UsageError('--password goes with --partners');
    const customers = positiveInt(v, 'customers', 60, 1_000_000);
    const accountsPerCustomer = positiveInt(v, 'accounts-per-customer', 4, 1000);
    const progress = new ProgressBar('seeding');
    const result = await withApp(config, (app) =>
      app.get(ProvisioningService).seedDemo({
        customers,
        accountsPerCustomer,
        onProgress: (done, total) => progress.update(done, total, 'customers'),
      }),
    );
    progress.done();
    if (!result.created) {
      out(`demo partner exists already (${result.customers} customers); sign in as ${result.adminEmail}`);
      return;
    }
    out(`demo partner created: ${result.customers} customers, ${result.accounts} accounts`);
    out(`sign in at ${config.publicUrl}/login as ${result.adminEmail} with password ${result.adminPassword}`);
  },
};

/** demo:seed --partners: the skewed bulk seed (BENCHMARKS.md), reused when its sizes did not change. */
async function bulkSeed(v: Record<string, string | boolean | undefined>, config: AppConfig): Promise<void> {
  const partners = positiveInt(v, 'partners', 1, 100_000);
  const customers = positiveInt(v, 'customers', 100_000, 10_000_000);
  const accountsPerCustomer = positiveInt(v, 'accounts-per-customer', 10, 1000);
  const password = typeof v.password === 'string' ? v.password : undefined;
  if (password !== undefined && (password.length < 8 || password.length > 128)) {
    throw new UsageError('--password must be 8 to 128 characters');
  }
  let progress: ProgressBar | undefined;
  let phase = '';
  const result = await withApp(config, (app) =>
    app.get(BulkSeeder).seed({
      partners,
      customers,
      accountsPerCustomer,
      password,
      onProgress: (p) => {
        if (p.phase !== phase) {
          progress?.done();
          phase = p.phase;
          progress = new ProgressBar(p.phase === 'removing' ? 'removing the older seed' : 'seeding');
        }
        progress?.update(p.done, p.total, p.unit);
      },
    }),
  );
  progress?.done();
  const what = `${result.partners} partners, ${result.customers} customers, ${result.accounts} accounts`;
  const admin = result.distributor.adminEmail;
  if (!result.created) {
    out(`seed exists already (${what}); sign in as ${admin}`);
    return;
  }
  out(
    `seeded ${what} in ${result.seconds.toFixed(1)} s (distributor ${result.distributor.code}: ${result.distributor.customers} customers)`,
  );
  out(
    result.generatedPassword
      ? `sign in at ${config.publicUrl}/login as ${admin} with password ${result.generatedPassword}`
      : `sign in at ${config.publicUrl}/login as ${admin} with the password given`,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

commands['queue:status'] = async (argv, config) => {
  const v = flags(argv, { json: { type: 'boolean' } });
  const status = await withApp(config, (app) => app.get(QueueAdminService).status());
  out(v.json ? status : formatQueueStatus(status));
};

commands['queue:retry'] = async (argv, config) => {
  const v = flags(argv, { dead: { type: 'boolean' }, id: { type: 'string' } });
  if (!v.dead) throw new UsageError('say what to retry: --dead (all dead messages) or --dead --id ID');
  if (v.id !== undefined && (typeof v.id !== 'string' || !UUID.test(v.id)))
    throw new UsageError('--id must be an outbox id');
  const ids = typeof v.id === 'string' ? [v.id.toLowerCase()] : 'all';
  const result = await withApp(config, (app) => app.get(QueueAdminService).retryDead(ids));
  if (ids !== 'all' && result.retried.length === 0) throw new UsageError(`no dead message with id ${v.id}`);
  out(`queued ${result.queued} of ${result.retried.length} dead message(s) again`);
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`lmp: unknown command "${name}" (lmp --help lists them)\n`);
    return 2;
  }
  try {
    await command(rest, loadConfig(process.env));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lmp ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`lmp: configuration error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ProblemException) {
      const fields = err.problem.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
      process.stderr.write(`lmp ${name}: ${fields || err.problem.detail || err.problem.title}\n`);
      return 1;
    }
    process.stderr.write(`lmp ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
