import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { RedisClient, redisConnection } from '@lmp/notifications';

/** How long a value is served before it is loaded again. */
export const KEEP_MS = 15_000;

/**
 * Values about a partner's customer list that are costly to compute (a long list's total, the
 * anchors of its deep pages), kept a few seconds in this process. With Redis, a change made on
 * any console voids what every console keeps: each partner has a generation in Redis, bumped by
 * `forget`, and a value is used only under the generation it was loaded in. Without Redis (one
 * console) the generation is this process's own.
 */
@Injectable()
export class ListPositionsCache<T = unknown> implements OnApplicationShutdown {
  private readonly logger = new Logger(ListPositionsCache.name);
  private readonly kept = new Map<string, { until: number; generation: string; value: T }>();
  /** Loads under way, by key and generation: concurrent requests share one query. */
  private readonly loading = new Map<string, Promise<T>>();
  private readonly localGenerations = new Map<string, number>();
  private readonly redis?: RedisClient;
  private readonly prefix: string;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.prefix = config?.queuePrefix ?? 'lmp';
    if (config?.redis) {
      this.redis = redisConnection(config.redis, 'producer');
      this.redis.on('error', () => undefined);
    }
  }

  /** The generation key is hash-tagged by partner: partners spread over a Cluster's slots. */
  private generationKey(partnerId: string): string {
    return `${this.prefix}:lists:{${partnerId}}`;
  }

  private async generation(partnerId: string): Promise<string> {
    const local = String(this.localGenerations.get(partnerId) ?? 0);
    if (!this.redis) return local;
    try {
      return `r${(await this.redis.get(this.generationKey(partnerId))) ?? 0}`;
    } catch {
      // Redis away: only this console's own changes void what it keeps, as with one console.
      return `l${local}`;
    }
  }

  /**
   * What is kept under `name` for the partner, loading it when missing or voided. A fresh value
   * is served for KEEP_MS; past that (same generation) the old value is still served while one
   * load brings the new one. `keep(value)` false: the value is used once and not kept.
   */
  async remember(partnerId: string, name: string, load: () => Promise<T>, keep: (v: T) => boolean = () => true) {
    const generation = await this.generation(partnerId);
    const key = `${partnerId}|${name}`;
    const kept = this.kept.get(key);
    const current = kept && kept.generation === generation ? kept : undefined;
    if (current && current.until > Date.now()) return current.value;
    const loadKey = `${key}|${generation}`;
    let inflight = this.loading.get(loadKey);
    if (!inflight) {
      inflight = load()
        .then((value) => {
          if (keep(value)) this.kept.set(key, { until: Date.now() + KEEP_MS, generation, value });
          else this.kept.delete(key);
          return value;
        })
        .finally(() => this.loading.delete(loadKey));
      this.loading.set(loadKey, inflight);
    }
    if (!current) return inflight;
    inflight.catch(() => undefined); // served stale; the next request tries again
    return current.value;
  }

  /** Voids what every console keeps about the partner's list, after a change. */
  forget(partnerId: string): void {
    this.localGenerations.set(partnerId, (this.localGenerations.get(partnerId) ?? 0) + 1);
    for (const key of [...this.kept.keys()]) if (key.startsWith(`${partnerId}|`)) this.kept.delete(key);
    if (!this.redis) return;
    const key = this.generationKey(partnerId);
    this.redis
      .multi()
      .incr(key)
      .pexpire(key, 24 * 3600_000)
      .exec()
      .catch((err: Error) =>
        this.logger.warn(
          { partnerId, reason: err.message },
          'could not void the other consoles’ customer list totals; they expire within 15 s',
        ),
      );
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
