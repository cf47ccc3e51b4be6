import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * The SMTP server of the benchmark, in the harness process: accepts everything, parses
 * nothing, and notes when each message to each recipient was fully received.
 */
export class SmtpSink {
  private server?: SMTPServer;
  port = 0;
  /** Messages received since the start. */
  delivered = 0;
  /** Times (performance.now(), ms) of deliveries per recipient, for the ones watched. */
  private readonly watched = new Map<string, (at: number) => void>();
  /** Delivery times (ms, performance.now()) of every message, in order. */
  readonly times: number[] = [];
  errors = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      maxClients: 1000,
      onData: (stream, session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          const at = performance.now();
          this.delivered++;
          this.times.push(at);
          for (const rcpt of session.envelope.rcptTo) {
            const done = this.watched.get(rcpt.address.toLowerCase());
            if (done) {
              this.watched.delete(rcpt.address.toLowerCase());
              done(at);
            }
          }
          callback();
        });
      },
    });
    this.server.on('error', () => this.errors++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  /** Resolves with the delivery time of the next message to `to`. */
  watch(to: string, callback: (at: number) => void): void {
    this.watched.set(to.toLowerCase(), callback);
  }

  unwatchAll(): void {
    this.watched.clear();
  }

  /** How many messages arrived between two performance.now() marks. */
  countBetween(from: number, to: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= 0 && this.times[i] >= from; i--) if (this.times[i] <= to) n++;
    return n;
  }

  /** Forgets the delivery times (keeps counting). */
  resetTimes(): void {
    this.times.length = 0;
  }

  async waitForTotal(total: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered < total) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
