import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { forbiddenAddress } from './address-check';

/** A receiver has this long to answer (headers and body) before the attempt counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
export const WEBHOOK_USER_AGENT = 'LMP-Webhooks/1.0';
/** The most of a receiver's answer that is read (the rest is dropped). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The outcome of one POST that got an answer. */
export interface SendResult {
  statusCode: number;
  latencyMs: number;
}

/** An attempt that failed: a non-2xx answer (`statusCode`), no answer, or a refused address (`refused`). */
export class WebhookSendError extends Error {
  constructor(
    message: string,
    readonly latencyMs: number,
    readonly statusCode: number | null = null,
    readonly refused = false,
  ) {
    super(message);
    this.name = 'WebhookSendError';
  }
}

interface Vetted {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the host once and checks every address it gives. The connection then uses the
 * checked address (the request's `lookup` returns it), so a second DNS answer cannot swap in
 * another one between the check and the connect.
 */
export async function vetHost(hostname: string, allowPrivate: boolean): Promise<Vetted> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const found: Vetted[] = literal
    ? [{ address: host, family: literal as 4 | 6 }]
    : (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
        address: a.address,
        family: a.family as 4 | 6,
      }));
  if (found.length === 0) throw new Error(`${host} has no address`);
  if (!allowPrivate) {
    for (const a of found) {
      const why = forbiddenAddress(a.address);
      if (why) {
        throw new WebhookSendError(
          `refused: ${host} resolves to ${a.address}, ${why} (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`,
          0,
          null,
          true,
        );
      }
    }
  }
  return found[0];
}

/** A `lookup` that answers the vetted address whatever it is asked, in either callback form. */
function pinnedLookup(vetted: Vetted): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  }) as unknown as LookupFunction;
}

/**
 * POSTs one signed body. Redirects are not followed (a 3xx is a failed attempt); the answer's
 * body is read up to 64 KiB and dropped.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  allowPrivate: boolean,
  timeoutMs = WEBHOOK_TIMEOUT_MS,
): Promise<SendResult> {
  const started = Date.now();
  const target = new URL(url);
  const vetted = await vetHost(target.hostname, allowPrivate).catch((err: unknown) => {
    if (err instanceof WebhookSendError) throw err;
    throw new WebhookSendError(`could not resolve ${target.hostname}: ${(err as Error).message}`, Date.now() - started);
  });
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const statusCode = await new Promise<number>((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        lookup: pinnedLookup(vetted),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': WEBHOOK_USER_AGENT,
        },
      },
      (res: IncomingMessage) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  }).catch((err: Error & { code?: string }) => {
    const reason = err.code ? `${err.code}: ${err.message}` : err.message;
    throw new WebhookSendError(reason.slice(0, 300), Date.now() - started);
  });
  const latencyMs = Date.now() - started;
  if (statusCode < 200 || statusCode > 299) {
    throw new WebhookSendError(`the receiver answered ${statusCode}`, latencyMs, statusCode);
  }
  return { statusCode, latencyMs };
}
