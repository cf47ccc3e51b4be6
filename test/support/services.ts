import IORedis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';

/** Where the integration tier finds MariaDB and Redis (.ci/run sets these). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'mysql://root@127.0.0.1:3306/lmp_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

function serverUrl(): URL {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = '/';
  return url;
}

/** A fresh, empty database on the test server, for one test file; dropped by the returned function. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lmp_t_${randomBytes(4).toString('hex')}`;
  const conn = await createConnection(serverUrl().toString());
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await createConnection(serverUrl().toString());
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Fails with one line when MariaDB cannot be reached. */
export async function checkMariaDb(): Promise<void> {
  try {
    const conn = await createConnection({ uri: serverUrl().toString(), connectTimeout: 3000 });
    await conn.query('SELECT 1');
    await conn.end();
  } catch (err) {
    throw new Error(
      `integration tier: cannot reach MariaDB/MySQL at ${serverUrl().host} (${(err as Error).message}); start it or set TEST_DATABASE_URL`,
    );
  }
}

/** Fails with one line when Redis cannot be reached. */
export async function checkRedis(): Promise<void> {
  const redis = new IORedis(TEST_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 3000,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `integration tier: cannot reach Redis at ${TEST_REDIS_URL} (${(err as Error).message}); start it or set TEST_REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Removes every key of a BullMQ prefix used by one test file (or one benchmark round). */
export async function dropQueuePrefix(prefix: string, redisUrl = TEST_REDIS_URL): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
