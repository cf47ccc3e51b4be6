import IORedis from 'ioredis';
import { createConnection } from 'mysql2/promise';

/**
 * Statements MariaDB ran and commands Redis ran per operation, over every process that talks to
 * them (console, workers): the round trips behind the CPU figures, which a noisy machine does
 * not move. Read from the servers' own counters (`Questions`, `total_commands_processed`), so
 * anything else using the same servers during a run is counted too; the meter's own reads are
 * taken out.
 */
export class RoundTripMeter {
  private before: { statements: number; commands: number } | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly redisUrl: string,
  ) {}

  async start(): Promise<this> {
    this.before = await this.read();
    return this;
  }

  /** "mariadb 9.0 statements, redis 6.1 commands" per operation, for `operations` operations. */
  async per(operations: number): Promise<string> {
    const before = this.before;
    const after = await this.read();
    if (!before || !after || operations <= 0) return 'round trips not read';
    // Each read is one statement and one command, counted by the servers before they answer.
    const statements = (after.statements - before.statements - 1) / operations;
    const commands = (after.commands - before.commands - 1) / operations;
    return `mariadb ${statements.toFixed(1)} statements, redis ${commands.toFixed(1)} commands`;
  }

  private async read(): Promise<{ statements: number; commands: number } | null> {
    const conn = await createConnection(this.databaseUrl).catch(() => null);
    const redis = new IORedis(this.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      if (!conn) return null;
      const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'Questions'");
      const statements = Number((rows as Array<{ Value: string }>)[0]?.Value);
      await redis.connect();
      const info = await redis.info('stats');
      const commands = Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1]);
      return Number.isFinite(statements) && Number.isFinite(commands) ? { statements, commands } : null;
    } catch {
      return null;
    } finally {
      await conn?.end().catch(() => undefined);
      redis.disconnect();
    }
  }
}
