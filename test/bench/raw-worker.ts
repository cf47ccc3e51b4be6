/**
 * The B2 ceiling's worker, as its own process: BullMQ Worker → the product's TemplateRenderer →
 * the product's pooled SMTP transport. No HTTP, no database: the template's props travel in the
 * job. Started by the harness with REDIS_URL, QUEUE_PREFIX, SMTP_URL and WORKER_CONCURRENCY.
 */
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { MailTemplate, WORKER_LOCK_MS, WORKER_STALLED_INTERVAL_MS } from '../../libs/notifications/src/jobs';
import { MailTemplateProps } from '../../libs/notifications/src/mail-templates';
import { SmtpMailTransport } from '../../libs/notifications/src/mail-transport';
import { TemplateRenderer } from '../../libs/notifications/src/template-renderer';

export interface RawJob {
  to: string;
  props: MailTemplateProps[typeof MailTemplate.PasswordReset];
}

const env = process.env;
const connection = new IORedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const renderer = new TemplateRenderer();
const transport = new SmtpMailTransport(env.SMTP_URL ?? '');
const from = 'LMP <no-reply@127.0.0.1>';

const worker = new Worker<RawJob>(
  'mail',
  async (job) => {
    const rendered = renderer.render(MailTemplate.PasswordReset, job.data.props);
    await transport.send({ ...rendered, outboxId: job.id ?? '', to: job.data.to, from, links: [] });
  },
  {
    connection,
    prefix: env.QUEUE_PREFIX ?? 'bench-raw',
    concurrency: Number(env.WORKER_CONCURRENCY ?? 20),
    lockDuration: WORKER_LOCK_MS,
    stalledInterval: WORKER_STALLED_INTERVAL_MS,
  },
);

async function stop(): Promise<void> {
  await worker.close();
  await transport.close();
  connection.disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
void worker.waitUntilReady().then(() => process.stdout.write('raw worker running\n'));
