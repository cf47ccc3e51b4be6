import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface GatewayRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** An SMS provider in the test process: records every request and answers as the test says. */
export class TestSmsGateway {
  readonly requests: GatewayRequest[] = [];
  /** Status codes for the next requests, in order; 202 once used up. */
  readonly answers: number[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text; the assertion on the body will say so
      }
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const status = this.answers.shift() ?? 202;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(status < 300 ? { id: `msg-${this.requests.length}` } : { error: `test answer ${status}` }),
      );
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  requestsFor(outboxId: string): GatewayRequest[] {
    return this.requests.filter((r) => r.headers['idempotency-key'] === outboxId);
  }

  /** The 6-digit code in the newest text message to a number. */
  lastCodeTo(phone: string): string {
    const sent = this.requests.filter((r) => (r.body as { to?: string } | null)?.to === phone);
    const text = (sent[sent.length - 1]?.body as { text?: string } | undefined)?.text ?? '';
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    if (!code) throw new Error(`no text message with a code to ${phone} (${sent.length} messages)`);
    return code;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
