import { Mutex } from './mutex';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe(Mutex.name, () => {
  it('returns what the function returns', async () => {
    const sut = new Mutex();

    await expect(sut.run(async () => 42)).resolves.toBe(42);
  });

  it('runs one function at a time', async () => {
    const sut = new Mutex();
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await settle();
      running--;
    };

    await Promise.all([sut.run(task), sut.run(task), sut.run(task), sut.run(task)]);

    expect(maxRunning).toBe(1);
  });

  it('does not start the next function until the current one has finished', async () => {
    const sut = new Mutex();
    const gate = deferred();
    const second = jest.fn(async () => 'second');

    const first = sut.run(() => gate.promise);
    const next = sut.run(second);
    await settle();

    expect(second).not.toHaveBeenCalled();
    gate.resolve();
    await first;
    await expect(next).resolves.toBe('second');
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('runs waiting functions in the order they asked (FIFO)', async () => {
    const sut = new Mutex();
    const order: number[] = [];
    const gate = deferred();

    const runs = [
      sut.run(async () => {
        await gate.promise;
        order.push(1);
      }),
      // Later callers finish faster on their own; the lock must still keep their order.
      sut.run(async () => {
        await settle();
        order.push(2);
      }),
      sut.run(async () => {
        order.push(3);
      }),
      sut.run(async () => {
        await settle();
        order.push(4);
      }),
    ];
    gate.resolve();
    await Promise.all(runs);

    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('passes a thrown error to its caller and still releases the lock', async () => {
    const sut = new Mutex();
    const failing = sut.run(async () => {
      throw new Error('transaction failed');
    });
    const after = sut.run(async () => 'ran');

    await expect(failing).rejects.toThrow('transaction failed');
    await expect(after).resolves.toBe('ran');
  });

  it('releases the lock after a synchronous throw', async () => {
    const sut = new Mutex();
    const failing = sut.run(() => {
      throw new Error('sync failure');
    });

    await expect(failing).rejects.toThrow('sync failure');
    await expect(sut.run(async () => 'ran')).resolves.toBe('ran');
  });
});
