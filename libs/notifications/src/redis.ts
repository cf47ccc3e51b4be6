import IORedis, { RedisOptions } from 'ioredis';

/**
 * Producers fail fast when Redis is away (the outbox keeps the message); workers wait
 * for it forever, as BullMQ requires (`maxRetriesPerRequest: null`).
 */
export function redisConnection(url: string, role: 'producer' | 'worker'): IORedis {
  const options: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  return new IORedis(url, { ...options, retryStrategy: (times) => Math.min(times * 200, 5000) });
}

/** Waits until the connection is ready, or gives up after `ms` (the caller decides what that means). */
export function whenReady(conn: IORedis, ms: number): Promise<boolean> {
  if (conn.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), ms);
    const onReady = () => done(true);
    function done(ok: boolean) {
      clearTimeout(timer);
      conn.off('ready', onReady);
      resolve(ok);
    }
    conn.on('ready', onReady);
  });
}
