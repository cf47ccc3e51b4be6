import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ProblemException } from '@lmp/common';
import { AppConfig, ConfigError, loadConfig } from '@lmp/config';
import { InlineJobQueue, JobQueue, LicenseNoticesService, QueueAdminService } from '@lmp/notifications';
import { formatQueueStatus } from './queue-status';
import { BulkSeeder, ProvisioningService } from '@lmp/tenancy';
import { flags, positiveInt, required, UsageError } from './args';
import { CliModule } from './cli.module';
import { commandHelp, CommandSpec, usage, wantsHelp } from './command';
import { CommandFailure, DB_COMMANDS } from './db-commands';
import { ProgressBar } from './progress';

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

const commands: Record<string, CommandSpec> = {
  ...DB_COMMANDS,

  'partner:create': {
    usage: 'partner:create --name N --code C --admin-email E [--admin-password P] [--no-require-2fa]',
    summary: 'create a partner and its first admin (prints JSON)',
    details:
      'Creates a partner and its first partner admin, and prints {"partnerId","adminUserId"}. Without\n' +
      '--admin-password the admin gets an invitation email. Its staff must set up 2FA unless --no-require-2fa.',
    flags: [
      ['--name N', "the partner's name"],
      ['--code C', 'a short unique code (lower case letters, digits, dashes)'],
      ['--admin-email E', "the first admin's email address"],
      ['--admin-password P', 'set the password instead of sending an invitation'],
      ['--no-require-2fa', "do not require two-factor authentication of the partner's staff"],
    ],
    run: async (argv, config) => {
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
  },

  'platform-admin:create': {
    usage: 'platform-admin:create --email E --password P',
    summary: 'create an operator account',
    details: 'Creates an operator (platform admin) account, who sees /ops/queues, and prints {"userId"}.',
    flags: [
      ['--email E', "the operator's email address"],
      ['--password P', 'the password (8 to 128 characters)'],
    ],
    run: async (argv, config) => {
      const v = flags(argv, { email: { type: 'string' }, password: { type: 'string' } });
      const input = { email: required(v, 'email'), password: required(v, 'password') };
      out(await withApp(config, (app) => app.get(ProvisioningService).createPlatformAdmin(input)));
    },
  },

  'demo:seed': {
    usage: 'demo:seed [--customers N] [--accounts-per-customer N] [--partners N] [--password P]',
    summary: 'a demo partner with customers, accounts and licenses',
    details:
      'Without --partners: a demo partner with customers, accounts and licenses (60 and 4 by default).\n' +
      'With --partners N: a skewed seed at scale, one distributor with half of the customers and N-1\n' +
      'partners sharing the rest; kept when run again with the same sizes. Progress goes to stderr.',
    flags: [
      ['--customers N', 'customers to create (60; 100000 with --partners)'],
      ['--accounts-per-customer N', 'accounts per customer (4; 10 with --partners)'],
      ['--partners N', 'seed at scale with N partners'],
      ['--password P', 'with --partners: the password of every seeded admin (else one is printed)'],
    ],
    run: async (argv, config) => {
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
  },

  'licenses:notify': {
    usage: 'licenses:notify [--as-of YYYY-MM-DD]',
    summary: 'run one license expiry scan now (prints JSON)',
    details:
      'Runs the license expiry scan once, as the workers do every LICENSE_SCAN_INTERVAL_MINUTES, and prints\n' +
      'what it wrote: {"licenseNotices","partnerDigests"}. A notice already sent is never sent again.',
    flags: [['--as-of YYYY-MM-DD', 'scan as of this UTC day instead of today']],
    run: async (argv, config) => {
      const v = flags(argv, { 'as-of': { type: 'string' } });
      const asOf = v['as-of'] === undefined ? undefined : isoDay(String(v['as-of']));
      out(await withApp(config, (app) => app.get(LicenseNoticesService).scan(asOf)));
    },
  },

  'queue:status': {
    usage: 'queue:status [--json]',
    summary: 'jobs per queue and outbox rows by status',
    details: 'Jobs per queue (waiting, active, delayed, failed), outbox rows by status and the newest dead messages.',
    flags: [['--json', 'the same as one JSON object']],
    run: async (argv, config) => {
      const v = flags(argv, { json: { type: 'boolean' } });
      const status = await withApp(config, (app) => app.get(QueueAdminService).status());
      out(v.json ? status : formatQueueStatus(status));
    },
  },

  'queue:retry': {
    usage: 'queue:retry --dead [--id ID]',
    summary: 'queue dead messages again (all, or one)',
    details: 'Queues dead messages again with fresh attempts: every one, or the one with --id.',
    flags: [
      ['--dead', 'retry dead messages (required)'],
      ['--id ID', 'only the outbox message with this id'],
    ],
    run: async (argv, config) => {
      const v = flags(argv, { dead: { type: 'boolean' }, id: { type: 'string' } });
      if (!v.dead) throw new UsageError('say what to retry: --dead (all dead messages) or --dead --id ID');
      if (v.id !== undefined && (typeof v.id !== 'string' || !UUID.test(v.id)))
        throw new UsageError('--id must be an outbox id');
      const ids = typeof v.id === 'string' ? [v.id.toLowerCase()] : 'all';
      const result = await withApp(config, (app) => app.get(QueueAdminService).retryDead(ids));
      if (ids !== 'all' && result.retried.length === 0) throw new UsageError(`no dead message with id ${v.id}`);
      out(`queued ${result.queued} of ${result.retried.length} dead message(s) again`);
    },
  },
};

/** A calendar day as midnight UTC; anything else (or a day that does not exist) is a usage error. */
function isoDay(text: string): Date {
  const d = new Date(`${text}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) {
    throw new UsageError('--as-of must be a day as YYYY-MM-DD');
  }
  return d;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(usage(commands));
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`lmp: unknown command "${name}" (lmp --help lists them)\n`);
    return 2;
  }
  // Before the configuration is read: help works without a database or any settings.
  if (wantsHelp(rest)) {
    out(commandHelp(name, command));
    return 0;
  }
  try {
    await command.run(rest, loadConfig(process.env));
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
    if (err instanceof CommandFailure) {
      process.stderr.write(`lmp ${name}: ${err.message}\n`);
      return 1;
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

void main(process.argv.slice(2)).then((code) => process.exit(code));
