import { ChildProcess } from 'node:child_process';

/** Every engine process the tests started and that still runs: killed when the test process exits, however it ends. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** Kills `child` when the test process exits, unless it has exited by then. */
export function killAtExit(child: ChildProcess): void {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
}
