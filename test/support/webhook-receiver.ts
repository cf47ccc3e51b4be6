import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body: `{id, type, occurredAt, partnerId, data}`. */
  event: { id: string; type: string; occurredAt: string; partnerId: string; data: Record<string, unknown> };
  answered: number;
}

/**
 * A webhook receiver: an HTTP server on 127.0.0.1 that records every POST and answers with the
 * next status of `answers` (then 200 once they run out, or `always` when set).
 */
export class WebhookReceiver {
  readonly received: ReceivedEvent[] = [];
  answers: number[] = [];
  always: number | null = null;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const answered = this.always ?? this.answers.shift() ?? 200;
        let event: ReceivedEvent['event'];
        try {
          event = JSON.parse(body) as ReceivedEvent['event'];
        } catch {
          event = { id: '', type: '(not JSON)', occurredAt: '', partnerId: '', data: {} };
        }
        this.received.push({ headers: req.headers, body, event, answered });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hooks`;
  }

  get port(): number {
    return (this.server!.address() as { port: number }).port;
  }

  ofType(type: string): ReceivedEvent[] {
    return this.received.filter((r) => r.event.type === type);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Verifies a received event as any Standard Webhooks receiver would; throws when it does not verify. */
export function verifyEvent(secret: string, r: ReceivedEvent): unknown {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });
}
