import { Logger } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutgoingSms {
  outboxId: string;
  to: string;
  text: string;
}

/** A gateway answer that no retry will change (4xx other than 408 and 429). */
export class SmsRejectedError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`SMS gateway answered ${status}: ${detail}`);
    this.name = 'SmsRejectedError';
  }
}

/** Sends text messages; one interface for every gateway. */
export abstract class SmsTransport {
  abstract send(sms: OutgoingSms): Promise<void>;
}

/**
 * An HTTP gateway: JSON POST `{to, text}` with a bearer token. Any 2xx is success; 408, 429
 * and 5xx are retried; other 4xx are permanent.
 */
export class HttpSmsTransport extends SmsTransport {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {
    super();
  }

  async send(sms: OutgoingSms): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': sms.outboxId,
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ to: sms.to, text: sms.text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.ok) return;
    const detail = (await res.text().catch(() => '')).slice(0, 200);
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      throw new SmsRejectedError(res.status, detail);
    }
    throw Object.assign(new Error(`SMS gateway answered ${res.status}: ${detail}`), { code: `HTTP_${res.status}` });
  }
}

/** Embedded-mode transport: `<dataDir>/outbox/<outboxId>.sms.txt`. */
export class FileSmsTransport extends SmsTransport {
  private readonly logger = new Logger('SmsFiles');

  constructor(readonly dir: string) {
    super();
  }

  async send(sms: OutgoingSms): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${sms.outboxId}.sms.txt`);
    await writeFile(`${file}.tmp`, `To: ${sms.to}\n\n${sms.text}\n`);
    await rename(`${file}.tmp`, file);
    this.logger.log({ to: sms.to, file }, 'text message written to file');
  }
}
