// npm run fuzz -- [--requests N] [--seed N] [--mariadb]: the fuzz test's generator against an
// embedded console (or one on MariaDB and Redis, TEST_DATABASE_URL and TEST_REDIS_URL), for as many
// requests as asked. Prints requests sent, answers by status and every 5xx; exit 1 on any.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { startConsole } from '../support/console-app';
import { fuzz, FuzzSession, jsonRoutes } from '../support/fuzz';
import { checkMariaDb, checkRedis, dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`--${name} needs a whole number, got ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const requests = option('requests', 2000);
  const seed = option('seed', Math.floor(Math.random() * 2 ** 31));
  const started = Date.now();
  // MariaDB enforces column types and lengths that SQLite lets through: worth a run of its own.
  const mariadb = process.argv.includes('--mariadb');
  let cleanup = async () => {};
  let env: Record<string, string> = {};
  if (mariadb) {
    await checkMariaDb();
    await checkRedis();
    const db = await freshDatabase();
    const prefix = `lmp-fuzz-${randomBytes(4).toString('hex')}`;
    env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, MIGRATE_ON_START: 'true' };
    cleanup = async () => {
      await db.drop();
      await dropQueuePrefix(prefix);
    };
  }
  const sut = await startConsole(env);
  try {
    const routes = jsonRoutes(sut.app);
    const session = await FuzzSession.start(sut.app);
    process.stdout.write(
      `fuzzing ${routes.length} routes with ${requests} requests, seed ${seed}, on ${mariadb ? 'MariaDB' : 'SQLite'}\n`,
    );
    const progress = setInterval(
      () => process.stderr.write(`  ${session.report.sent} sent, ${session.report.serverErrors.length} 5xx\n`),
      10_000,
    );
    await fuzz(sut.app, session, { requests, seed, routes, stopAtFirst: false });
    clearInterval(progress);
    const live = await fetchStatus(sut, '/health/live');
    const { sent, byStatus, serverErrors, reSignIns, rebuilds } = session.report;
    process.stdout.write(`requests sent: ${sent} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.stdout.write('answers by status:\n');
    for (const [status, n] of Object.entries(byStatus)) process.stdout.write(`  ${status}: ${n}\n`);
    process.stdout.write(`5xx: ${serverErrors.length}\n`);
    for (const e of serverErrors.slice(0, 20)) process.stdout.write(`  ${e}\n`);
    process.stdout.write(`routes reached: ${Object.keys(session.report.byRoute).length} of ${routes.length}\n`);
    process.stdout.write(`signed in again: ${reSignIns}, fresh actors: ${rebuilds}\n`);
    process.stdout.write(`/health/live afterwards: ${live}\n`);
    process.exitCode = serverErrors.length || live !== 200 ? 1 : 0;
  } finally {
    await sut.close();
    await cleanup();
  }
}

async function fetchStatus(sut: Awaited<ReturnType<typeof startConsole>>, path: string): Promise<number> {
  const { default: request } = await import('supertest');
  return (await request(sut.app.getHttpServer()).get(path)).status;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
