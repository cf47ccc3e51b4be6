import IORedis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisConfig } from '@lmp/config';

/** Either client ioredis offers; every Redis user takes one from `redisConnection`. */
export type RedisClient = IORedis | Cluster;

/**
 * `producer`: fails fast when Redis is away (the outbox keeps the message; a rate limit lets the
 * request through). `worker`: waits for Redis forever, as BullMQ's workers require
 * (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

const retryStrategy = (times: number) => Math.min(times * 200, 5000);

function roleOptions(role: RedisRole): RedisOptions {
  return role === 'producer'
    ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
    : { maxRetriesPerRequest: null, enableReadyCheck: true };
}

/**
 * The one place a Redis connection is made: one server, a Redis Cluster (slots followed as
 * masters fail over to their replicas) or a master found through Sentinels (followed to the
 * replica promoted in its place).
 */
export function redisConnection(config: RedisConfig, role: RedisRole): RedisClient {
  const options = roleOptions(role);
  if (config.mode === 'standalone') return new IORedis(config.url, { ...options, retryStrategy });
  const auth = {
    username: config.username,
    password: config.password,
    ...(config.tls ? { tls: {} } : {}),
  };
  if (config.mode === 'sentinel') {
    return new IORedis({
      ...options,
      ...auth,
      sentinels: config.sentinels,
      name: config.name,
      sentinelPassword: config.sentinelPassword,
      db: config.db,
      enableTLSForSentinelMode: config.tls,
      // No `failoverDetector`: its disconnect can land while the client is asking the Sentinels
      // for the master, which ends the client for good. A lost master closes the connection,
      // and the reconnection asks the Sentinels again.
      retryStrategy,
      sentinelRetryStrategy: retryStrategy,
    });
  }
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...auth, connectTimeout: 2000, maxRetriesPerRequest: options.maxRetriesPerRequest },
    enableReadyCheck: true,
    enableOfflineQueue: role === 'worker',
    clusterRetryStrategy: retryStrategy,
    // While a master's replica takes over, commands wait and retry instead of failing at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2000,
    slotsRefreshInterval: 5000,
  };
  return new Cluster(config.nodes, clusterOptions);
}

/**
 * BullMQ's key prefix for one queue. Every key of a queue must be in one hash slot of a Redis
 * Cluster (its Lua scripts touch several), so there the prefix is a hash tag of its own,
 * `{lmp:mail}`: each queue lives on one node, and the queues spread over the nodes.
 * QUEUE_PREFIX itself never has braces (the configuration refuses them).
 */
export function bullPrefix(config: RedisConfig, prefix: string, queue: string): string {
  return config.mode === 'cluster' ? `{${prefix}:${queue}}` : prefix;
}

/** Waits until the connection is ready, or gives up after `ms` (the caller decides what that means). */
export function whenReady(conn: RedisClient, ms: number): Promise<boolean> {
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

/**
 * Calls `listener` whenever Redis may have lost data the process wrote: after every 'ready'
 * that follows an outage (or a start while Redis was down), and on a Cluster once the slots
 * were read again after a node dropped out (a master failed over to a replica that may not
 * have had its last writes).
 */
export function onRedisRecovered(conn: RedisClient, listener: () => void): void {
  conn.on('ready', listener);
  if (conn instanceof Cluster) {
    let nodeLost = false;
    conn.on('-node', () => {
      nodeLost = true;
    });
    conn.on('refresh', () => {
      if (!nodeLost) return;
      nodeLost = false;
      listener();
    });
  }
}
