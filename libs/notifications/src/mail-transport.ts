import { Logger } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import { RenderedMail } from './template-renderer';

export interface OutgoingMail extends RenderedMail {
  /** Used as the Message-ID, so a message retried after a crash can be recognised downstream. */
  outboxId: string;
  to: string;
  from: string;
  /** Links inside the message, logged by the file transport only. */
  links: string[];
}

/** Sends rendered mail. Errors are thrown as they come (SMTP reply codes in `responseCode`). */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail): Promise<void>;
  abstract close(): Promise<void>;
}

function messageId(mail: OutgoingMail): string {
  const domain = mail.from.replace(/.*@/, '').replace(/>.*/, '') || 'lmp.local';
  return `<${mail.outboxId}@${domain}>`;
}

/**
 * Opens a pooled connection with Nagle's algorithm off. nodemailer writes a message in several
 * small segments; with Nagle on, the last one waits for the server's delayed ACK (40 ms on
 * Linux), which held every connection to ~20 messages/s. TLS (smtps, STARTTLS) runs over it.
 */
export function openSmtpSocket(
  host: string,
  port: number,
  timeoutMs: number,
  callback: (err: Error | null, socketOptions?: { connection: Socket }) => void,
): void {
  const socket = connect({ host, port });
  socket.setNoDelay(true);
  const timer = setTimeout(() => socket.destroy(new Error(`connection to ${host}:${port} timed out`)), timeoutMs);
  const onError = (err: Error) => {
    clearTimeout(timer);
    callback(err);
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.off('error', onError);
    callback(null, { connection: socket });
  });
}

/** Production transport: pooled SMTP connections to SMTP_URL. */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(smtpUrl: string, poolSize = 5) {
    super();
    const url = new URL(smtpUrl);
    const host = url.hostname;
    const port = Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587);
    this.transporter = nodemailer.createTransport({
      pool: true,
      maxConnections: poolSize,
      host,
      port,
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // smtp://host:port?ignoreTLS=true for servers without STARTTLS (local catchers)
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      getSocket: (_options, callback) => openSmtpSocket(host, port, 10_000, callback),
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: messageId(mail),
    });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/**
 * Embedded-mode transport: each message becomes `<dataDir>/outbox/<outboxId>.eml`, written
 * atomically, and its links are logged so that a developer can follow them. This is the
 * only place where an emailed link is logged; it never runs with SMTP_URL set.
 */
export class FileMailTransport extends MailTransport {
  private readonly logger = new Logger('MailFiles');
  private readonly transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(readonly dir: string) {
    super();
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.transporter.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: messageId(mail),
    });
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${mail.outboxId}.eml`);
    await writeFile(`${file}.tmp`, info.message as Buffer);
    await rename(`${file}.tmp`, file);
    this.logger.log({ to: mail.to, subject: mail.subject, file, links: mail.links }, 'mail written to file');
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
