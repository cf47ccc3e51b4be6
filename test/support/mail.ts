import { simpleParser } from 'mailparser';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** When it arrived (ms): the file's time for .eml files, else the Date header. */
  date: number;
}

/** The first link in a mail's text that points at `path` (e.g. /reset-password). */
export function linkIn(mail: ReceivedMail, path: string): string {
  const match = mail.text.match(new RegExp(`https?://\\S+${path.replace(/[/?]/g, '\\$&')}\\?token=[A-Za-z0-9_-]+`));
  if (!match) throw new Error(`no ${path} link in mail "${mail.subject}" to ${mail.to}`);
  return match[0];
}

export const tokenOf = (link: string): string => new URL(link).searchParams.get('token') ?? '';

export async function parseMail(raw: Buffer | string): Promise<ReceivedMail> {
  const m = await simpleParser(raw);
  const to = Array.isArray(m.to) ? m.to[0]?.text : m.to?.text;
  return {
    to: (to ?? '').toLowerCase(),
    subject: m.subject ?? '',
    text: m.text ?? '',
    html: typeof m.html === 'string' ? m.html : '',
    messageId: m.messageId ?? '',
    date: m.date?.getTime() ?? 0,
  };
}

/** The embedded mode's mailbox: the .eml files under `<dataDir>/outbox`. */
export async function readOutboxFiles(dataDir: string): Promise<ReceivedMail[]> {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  return Promise.all(
    files.map(async (f) => ({
      ...(await parseMail(readFileSync(join(dir, f)))),
      date: statSync(join(dir, f)).mtimeMs,
    })),
  );
}

export async function mailsTo(dataDir: string, to: string, subject?: string): Promise<ReceivedMail[]> {
  return (await readOutboxFiles(dataDir)).filter(
    (m) => m.to === to.toLowerCase() && (subject === undefined || m.subject === subject),
  );
}
