import { ConfigError } from './config-error';

type Env = Record<string, string | undefined>;

export interface RedisNode {
  host: string;
  port: number;
}

/** Credentials and TLS, shared by every node (from REDIS_URL: `rediss://user:pass@…`). */
export interface RedisAuth {
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * Where Redis is: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES, seed nodes) or
 * a master watched by Sentinels (REDIS_SENTINELS + REDIS_SENTINEL_NAME).
 */
export type RedisConfig =
  | { mode: 'standalone'; url: string }
  | ({ mode: 'cluster'; nodes: RedisNode[] } & RedisAuth)
  | ({
      mode: 'sentinel';
      sentinels: RedisNode[];
      /** The master's name in the Sentinels' configuration. */
      name: string;
      sentinelPassword?: string;
      db: number;
    } & RedisAuth);

function nodeList(env: Env, name: string): RedisNode[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  return raw.split(',').map((part) => {
    const item = part.trim();
    const m = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      throw new ConfigError(name, `must be host:port pairs separated by commas, got "${item}"`);
    }
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
}

/**
 * REDIS_URL alone: one server. With REDIS_CLUSTER_NODES or REDIS_SENTINELS, REDIS_URL is
 * optional and gives only the credentials and TLS (`rediss://:secret@cluster`; its host is
 * not used) and, for Sentinel, the database number (`/2`).
 */
export function redisConfig(env: Env): RedisConfig | undefined {
  const rawUrl = env.REDIS_URL?.trim();
  let url: URL | undefined;
  if (rawUrl) {
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ConfigError('REDIS_URL', 'is not a valid URL');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://');
    }
  }
  const clusterNodes = nodeList(env, 'REDIS_CLUSTER_NODES');
  const sentinels = nodeList(env, 'REDIS_SENTINELS');
  const sentinelName = env.REDIS_SENTINEL_NAME?.trim();
  if (clusterNodes && sentinels) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'and REDIS_SENTINELS cannot both be set: choose Cluster or Sentinel');
  }
  if (sentinelName && !sentinels) throw new ConfigError('REDIS_SENTINEL_NAME', 'needs REDIS_SENTINELS');
  if (env.REDIS_SENTINEL_PASSWORD?.trim() && !sentinels) {
    throw new ConfigError('REDIS_SENTINEL_PASSWORD', 'needs REDIS_SENTINELS');
  }
  if (!clusterNodes && !sentinels) return url ? { mode: 'standalone', url: url.toString() } : undefined;
  const auth: RedisAuth = {
    username: url?.username ? decodeURIComponent(url.username) : undefined,
    password: url?.password ? decodeURIComponent(url.password) : undefined,
    tls: url?.protocol === 'rediss:',
  };
  const path = url?.pathname.replace(/^\//, '') ?? '';
  if (clusterNodes) {
    if (path && path !== '0') throw new ConfigError('REDIS_URL', 'a Redis Cluster has only database 0: drop the /db');
    return { mode: 'cluster', nodes: clusterNodes, ...auth };
  }
  if (!sentinelName)
    throw new ConfigError('REDIS_SENTINEL_NAME', "is required with REDIS_SENTINELS (the master's name)");
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(sentinelName)) {
    throw new ConfigError('REDIS_SENTINEL_NAME', 'must be 1 to 64 letters, digits, ., - or _');
  }
  if (path && !/^\d{1,2}$/.test(path)) throw new ConfigError('REDIS_URL', 'database must be a number, e.g. /0');
  return {
    mode: 'sentinel',
    sentinels: sentinels!,
    name: sentinelName,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD?.trim() || undefined,
    db: path ? Number(path) : 0,
    ...auth,
  };
}

/** One line for logs: where Redis is, without credentials. */
export function describeRedis(redis: RedisConfig): string {
  if (redis.mode === 'standalone') {
    const u = new URL(redis.url);
    return `redis ${u.host}`;
  }
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  return redis.mode === 'cluster'
    ? `redis cluster ${list(redis.nodes)}`
    : `redis sentinel ${redis.name} via ${list(redis.sentinels)}`;
}
