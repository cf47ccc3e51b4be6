import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { postWebhook, WEBHOOK_TIMEOUT_MS, WebhookSendError } from './webhook-sender';

/** A receiver on loopback whose answer each test chooses; it counts the requests it saw. */
function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  return {
    seen,
    url: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)),
      ),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('postWebhook', () => {
  it('waits 10 seconds for an answer by default', () => {
    expect(WEBHOOK_TIMEOUT_MS).toBe(10_000);
  });

  it('gives up on a receiver that does not answer in time, saying so', async () => {
    const r = receiver(() => undefined); // never answers
    try {
      const sent = postWebhook(await r.url(), {}, '{}', true, 200);
      await expect(sent).rejects.toThrow(WebhookSendError);
      await expect(sent).rejects.toThrow('no answer within 0.2 s');
      expect(r.seen).toEqual(['POST /hook']);
    } finally {
      await r.close();
    }
  });

  it('counts a redirect as a failed attempt and does not follow it', async () => {
    const r = receiver((req, res) => {
      if (req.url === '/hook') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(204).end();
    });
    try {
      const sent = postWebhook(await r.url(), {}, '{}', true, 2000);
      await expect(sent).rejects.toMatchObject({ message: 'the receiver answered 302', statusCode: 302 });
      expect(r.seen).toEqual(['POST /hook']);
    } finally {
      await r.close();
    }
  });

  it('delivers on a 2xx, with the signature headers it was given and a JSON body', async () => {
    let got: { headers: IncomingMessage['headers']; body: string } | undefined;
    const r = receiver((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got = { headers: req.headers, body };
        res.writeHead(204).end();
      });
    });
    try {
      const result = await postWebhook(await r.url(), { 'webhook-id': 'msg_1' }, '{"a":1}', true, 2000);
      expect(result.statusCode).toBe(204);
      expect(got?.body).toBe('{"a":1}');
      expect(got?.headers).toMatchObject({ 'webhook-id': 'msg_1', 'content-type': 'application/json' });
    } finally {
      await r.close();
    }
  });
});
