import { QueueStatus } from '@lmp/notifications';

const pad = (s: string | number, n: number) => String(s).padEnd(n);

/** queue:status as a table a person reads at a terminal. */
export function formatQueueStatus(status: QueueStatus): string {
  const lines: string[] = [];
  if (status.queues) {
    lines.push(`${pad('queue', 8)}${pad('waiting', 9)}${pad('active', 8)}${pad('delayed', 9)}failed`);
    for (const [name, c] of Object.entries(status.queues)) {
      lines.push(`${pad(name, 8)}${pad(c.waiting, 9)}${pad(c.active, 8)}${pad(c.delayed, 9)}${c.failed}`);
    }
  } else {
    lines.push('queues: in-process (no REDIS_URL): the console delivers messages itself');
  }
  lines.push('');
  lines.push(
    `${pad('outbox', 8)}${Object.keys(status.outbox)
      .map((k) => pad(k, 9))
      .join('')}`,
  );
  lines.push(
    `${pad('rows', 8)}${Object.values(status.outbox)
      .map((n) => pad(n, 9))
      .join('')}`,
  );
  lines.push('');
  lines.push(
    `overdue ${status.overdue}` +
      (status.overdue ? ' (due but not sent: lost retries the relay queues again, or no worker running)' : ''),
  );
  if (status.dead.length) {
    lines.push('');
    lines.push('dead messages (queue:retry --dead [--id ID] sends them again):');
    for (const d of status.dead) {
      lines.push(
        `  ${d.id}  ${d.kind}/${d.template} to ${d.recipient}, ${d.attempts} attempt(s): ${d.lastError ?? ''}`,
      );
    }
  }
  return lines.join('\n');
}
