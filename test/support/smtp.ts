import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerAddress } from 'smtp-server';
import { parseMail, ReceivedMail } from './mail';

/** What the test SMTP server answers for one recipient; null accepts. */
export type SmtpVerdict = { code: number; message: string } | null;

/**
 * A real SMTP server in the test process. It records every accepted message, and the test
 * decides per recipient whether to accept or to answer with an SMTP error.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  verdict: (rcpt: string) => SmtpVerdict = () => null;
  /** Delay before answering RCPT TO: makes a batch take time, so that a fault can land mid-batch. */
  rcptDelayMs = 0;
  /**
   * The addresses of the RCPT TO commands received, answered or not, in order (lower case): a
   * client is mid-transaction for an address once it is here.
   */
  readonly rcptTo: string[] = [];
  readonly errors: string[] = [];
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        this.rcptTo.push(address.address.toLowerCase());
        const answer = () => {
          const v = this.verdict(address.address.toLowerCase());
          if (!v) return callback();
          callback(Object.assign(new Error(v.message), { responseCode: v.code }));
        };
        if (this.rcptDelayMs) setTimeout(answer, this.rcptDelayMs);
        else answer();
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          parseMail(Buffer.concat(chunks))
            .then((m) => {
              this.received.push(m);
              callback();
            })
            .catch(callback);
        });
      },
    });
    // A client killed mid-session resets its connection; that is the test's doing, not a failure.
    this.server.on('error', (err: Error) => this.errors.push(err.message));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  async waitFor(to: string, subject: string, timeoutMs = 15000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter((m) => m.to === to.toLowerCase() && m.subject === subject);
      if (found.length) return found[found.length - 1];
      if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${to} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  count(to: string, subject: string): number {
    return this.received.filter((m) => m.to === to.toLowerCase() && m.subject === subject).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
