import { MicroBatcher } from './micro-batcher';

const tick = () => new Promise((r) => setImmediate(r));

describe(MicroBatcher.name, () => {
  it('runs calls made in the same turn as one batch, answering each with its own result', async () => {
    const batches: number[][] = [];
    const sut = new MicroBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((n) => n * 10);
    });

    const results = await Promise.all([sut.add(1), sut.add(2), sut.add(3)]);

    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects the calls that arrive while a batch runs into the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sut = new MicroBatcher<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items;
    });

    const first = sut.add(1);
    await tick();
    const later = [sut.add(2), sut.add(3), sut.add(4)];
    await tick();
    expect(batches).toEqual([[1]]);
    release();

    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits at maxSize and runs up to maxConcurrent batches at once', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const sut = new MicroBatcher<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        sizes.push(items.length);
        await tick();
        running--;
        return items;
      },
      { maxSize: 2, maxConcurrent: 2 },
    );

    await Promise.all([1, 2, 3, 4, 5].map((n) => sut.add(n)));

    expect(sizes).toEqual([2, 2, 1]);
    expect(most).toBe(2);
    expect(sut.size).toBe(0);
  });

  it('rejects every call of a failed batch, and keeps working afterwards', async () => {
    let fail = true;
    const sut = new MicroBatcher<number, number>(async (items) => {
      if (fail) throw new Error('database went away');
      return items;
    });

    await expect(Promise.all([sut.add(1), sut.add(2)])).rejects.toThrow('database went away');
    fail = false;
    await expect(sut.add(3)).resolves.toBe(3);
  });
});
