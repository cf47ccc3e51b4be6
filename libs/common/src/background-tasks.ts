import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/**
 * Work done after the response, so that a request's timing does not depend on what it found
 * (an unknown email answers as fast as a known one). Shutdown waits for what is running.
 */
@Injectable()
export class BackgroundTasks implements OnApplicationShutdown {
  private readonly logger = new Logger(BackgroundTasks.name);
  private readonly running = new Set<Promise<void>>();

  run(name: string, work: () => Promise<unknown>): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .then(
        () => undefined,
        (err: unknown) => this.logger.error({ err, task: name }, 'background task failed'),
      )
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves when nothing is running. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }
}
