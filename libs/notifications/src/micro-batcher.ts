interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces calls made at about the same time into one piece of work, like a database's group
 * commit: the first call of an idle batcher runs at the next turn of the event loop with
 * whatever else arrived by then; while `maxConcurrent` batches run, new calls wait and go
 * together in the next one. There is no timer: an idle system pays no delay, a busy one pays
 * one round trip for many items. `work` answers one result per item, in order.
 */
export class MicroBatcher<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly work: (items: T[]) => Promise<R[]>,
    private readonly options: { maxSize?: number; maxConcurrent?: number } = {},
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Calls waiting or running. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0 || this.running >= (this.options.maxConcurrent ?? 1)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const maxSize = this.options.maxSize ?? 100;
    while (this.waiting.length > 0 && this.running < (this.options.maxConcurrent ?? 1)) {
      const batch = this.waiting.splice(0, maxSize);
      this.running++;
      let done: Promise<R[]>;
      try {
        done = this.work(batch.map((w) => w.item));
      } catch (err) {
        done = Promise.reject(err);
      }
      done
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i])),
          (err: unknown) => batch.forEach((w) => w.reject(err)),
        )
        .finally(() => {
          this.running--;
          this.schedule();
        });
    }
  }
}
