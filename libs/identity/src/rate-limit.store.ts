import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { RateLimit, TransactionRunner } from '@lmp/database';

/**
 * Fixed-window counters shared by every console instance: in Redis when it is configured,
 * otherwise in the database. Serves @nestjs/throttler and the sign-in failure limits.
 * If the store cannot be reached, requests are let through and a warning is logged:
 * an outage of the store must not lock everyone out.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitStore.name);
  private readonly redis?: IORedis;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (config.redisUrl) {
      this.redis = new IORedis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
      });
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
    const fullKey = `${this.config.queuePrefix}:rl:${throttlerName}:${key}`.slice(0, 200);
    try {
      return this.redis
        ? await this.incrementRedis(fullKey, ttl, limit, blockDuration)
        : await this.incrementDb(fullKey, ttl, limit, blockDuration);
    } catch (err) {
      this.logger.warn({ reason: (err as Error).message }, 'rate-limit store unreachable: request let through');
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /** Reads a counter without counting. */
  async peek(key: string, throttlerName: string): Promise<{ blockedForSeconds: number }> {
    const fullKey = `${this.config.queuePrefix}:rl:${throttlerName}:${key}`.slice(0, 200);
    try {
      if (this.redis) {
        const pttl = await this.redis.pttl(`${fullKey}:block`);
        return { blockedForSeconds: pttl > 0 ? Math.ceil(pttl / 1000) : 0 };
      }
      const row = await this.dataSource.getRepository(RateLimit).findOneBy({ key: fullKey });
      const left = row?.blockedUntil ? row.blockedUntil.getTime() - this.clock.now().getTime() : 0;
      return { blockedForSeconds: left > 0 ? Math.ceil(left / 1000) : 0 };
    } catch {
      return { blockedForSeconds: 0 };
    }
  }

  private async incrementRedis(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const [hits, pttl, blockPttl] = (await this.redis!.eval(
      `local hits = redis.call('INCR', KEYS[1])
       if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
       if hits > tonumber(ARGV[2]) and redis.call('EXISTS', KEYS[2]) == 0 then
         redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
       end
       return { hits, redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]) }`,
      2,
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

  private async incrementDb(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    return this.tx.run(async ({ em }) => {
      const now = this.clock.now();
      const repo = em.getRepository(RateLimit);
      const locking = em.connection.options.type !== 'better-sqlite3';
      const qb = repo.createQueryBuilder('r').where('r.key = :key', { key });
      let row = await (locking ? qb.setLock('pessimistic_write') : qb).getOne();
      if (!row) {
        row = { key, hits: 0, windowEndsAt: new Date(now.getTime() + ttl), blockedUntil: null };
        // Two instances may race to create the row; the loser's insert fails and the
        // transaction runner runs it again, finding the row.
        await repo.insert(row);
      }
      if (row.windowEndsAt <= now) {
        row.hits = 0;
        row.windowEndsAt = new Date(now.getTime() + ttl);
      }
      row.hits += 1;
      const blocked = row.blockedUntil !== null && row.blockedUntil > now;
      if (row.hits > limit && !blocked) row.blockedUntil = new Date(now.getTime() + Math.max(1, blockDuration));
      await repo.update({ key }, { hits: row.hits, windowEndsAt: row.windowEndsAt, blockedUntil: row.blockedUntil });
      const blockLeft = row.blockedUntil ? row.blockedUntil.getTime() - now.getTime() : 0;
      return {
        totalHits: row.hits,
        timeToExpire: Math.ceil((row.windowEndsAt.getTime() - now.getTime()) / 1000),
        isBlocked: blockLeft > 0,
        timeToBlockExpire: Math.max(0, Math.ceil(blockLeft / 1000)),
      };
    });
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
