import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { DataSource } from 'typeorm';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { RateLimit, TransactionRunner } from '@lmp/database';
import { RedisClient, redisConnection } from '@lmp/notifications';

/** One hit on a counter (KEYS[1]) and, beyond the limit, its block (KEYS[2]); ARGV: ttl, limit, block (ms). */
const RATE_LIMIT_HIT = `local hits = redis.call('INCR', KEYS[1])
  if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
  if hits > tonumber(ARGV[2]) and redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  end
  return { hits, redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]) }`;

/** One hit given back, never below zero. */
const RATE_LIMIT_RELEASE = `local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  if hits > 0 then redis.call('DECR', KEYS[1]) end
  return 0`;

interface RateLimitCommands {
  lmpRateLimitHit(key: string, blockKey: string, ttl: number, limit: number, block: number): Promise<unknown>;
  lmpRateLimitRelease(key: string): Promise<unknown>;
}

/**
 * Fixed-window counters shared by every console instance: in Redis when it is configured,
 * otherwise in the database. Serves @nestjs/throttler and the sign-in failure limits.
 * If the store cannot be reached, requests are let through and a warning is logged:
 * an outage of the store must not lock everyone out.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitStore.name);
  private readonly redis?: RedisClient & RateLimitCommands;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (config.redis) {
      // Scripts defined once and sent by their SHA (EVALSHA, falling back to EVAL once per
      // connection): a hit costs Redis no script parsing and the socket ~300 fewer bytes.
      const redis = redisConnection(config.redis, 'producer');
      redis.defineCommand('lmpRateLimitHit', { numberOfKeys: 2, lua: RATE_LIMIT_HIT });
      redis.defineCommand('lmpRateLimitRelease', { numberOfKeys: 1, lua: RATE_LIMIT_RELEASE });
      this.redis = redis as RedisClient & RateLimitCommands;
      this.redis.on('error', () => undefined);
    }
  }

  /** Counts one hit; `ttl` and `blockDuration` in milliseconds; times in the answer in seconds. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const fullKey = this.keyOf(throttlerName, key);
    try {
      return this.redis
        ? await this.incrementRedis(fullKey, ttl, limit, blockDuration)
        : await this.incrementDb(fullKey, ttl, limit, blockDuration);
    } catch (err) {
      this.logger.warn({ reason: (err as Error).message }, 'rate-limit store unreachable: request let through');
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /**
   * A counter's key. In Redis the counter and its block share a hash tag (one Lua script reads
   * both, which a Redis Cluster allows only within one slot), and counters spread over the slots.
   */
  private keyOf(throttlerName: string, key: string): string {
    const inner = `${throttlerName}:${key}`;
    return this.redis
      ? `${this.config.queuePrefix}:rl:{${inner.slice(0, 160)}}`
      : `${this.config.queuePrefix}:rl:${inner}`.slice(0, 200);
  }

  /** Counts one hit in the window, with no block: the caller decides from the count. */
  count(key: string, ttl: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return this.increment(key, ttl, Number.MAX_SAFE_INTEGER, 1, throttlerName);
  }

  private async incrementRedis(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const [hits, pttl, blockPttl] = (await this.redis!.lmpRateLimitHit(
      key,
      `${key}:block`,
      ttl,
      limit,
      Math.max(1, blockDuration),
    )) as [number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(pttl / 1000)),
      isBlocked: blockPttl > 0,
      timeToBlockExpire: Math.max(0, Math.ceil(blockPttl / 1000)),
    };
  }

  /**
   * The database path of `increment`: one conditional UPDATE counts the hit (a new window starts
   * at 1), the block is decided from the stored count by another conditional UPDATE, and both
   * run in one transaction, so parallel hits never read a count another one is about to change.
   * A missing row is created outside the transaction (a concurrent create is ignored) and the
   * count runs again.
   */
  private async incrementDb(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    for (;;) {
      const counted = await this.tx.run(async ({ em }) => {
        const now = this.clock.now();
        const res = await em
          .createQueryBuilder()
          .update(RateLimit)
          .set({
            // `hits` is set before `window_ends_at` (MySQL evaluates assignments in order), so both
            // compare the window as it was.
            hits: () => 'CASE WHEN window_ends_at <= :now THEN 1 ELSE hits + 1 END',
            windowEndsAt: () => 'CASE WHEN window_ends_at <= :now THEN :windowEnd ELSE window_ends_at END',
          })
          .where({ key })
          .setParameters({ now, windowEnd: new Date(now.getTime() + ttl) })
          .execute();
        if ((res.affected ?? 0) === 0) return null;
        const row = await em.getRepository(RateLimit).findOneByOrFail({ key });
        if (row.hits > limit && !(row.blockedUntil && row.blockedUntil > now)) {
          row.blockedUntil = new Date(now.getTime() + Math.max(1, blockDuration));
          await em.getRepository(RateLimit).update({ key }, { blockedUntil: row.blockedUntil });
        }
        const blockLeft = row.blockedUntil ? row.blockedUntil.getTime() - now.getTime() : 0;
        return {
          totalHits: row.hits,
          timeToExpire: Math.ceil((row.windowEndsAt.getTime() - now.getTime()) / 1000),
          isBlocked: blockLeft > 0,
          timeToBlockExpire: Math.max(0, Math.ceil(blockLeft / 1000)),
        };
      });
      if (counted) return counted;
      const now = this.clock.now();
      await this.tx.write((em) =>
        em
          .createQueryBuilder()
          .insert()
          .into(RateLimit)
          .values({ key, hits: 0, windowEndsAt: new Date(now.getTime() + ttl), blockedUntil: null })
          .orIgnore()
          .execute(),
      );
    }
  }

  /**
   * Gives back one hit counted by `increment`, as when an attempt counted before it was checked
   * turned out right. Never below zero; a block already decided stays.
   */
  async release(key: string, throttlerName: string): Promise<void> {
    const fullKey = this.keyOf(throttlerName, key);
    try {
      if (this.redis) {
        await this.redis.lmpRateLimitRelease(fullKey);
        return;
      }
      await this.tx.write((em) =>
        em
          .createQueryBuilder()
          .update(RateLimit)
          .set({ hits: () => 'hits - 1' })
          .where({ key: fullKey })
          .andWhere('hits > 0')
          .execute(),
      );
    } catch (err) {
      this.logger.warn({ reason: (err as Error).message }, 'rate-limit store unreachable: hit not given back');
    }
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
