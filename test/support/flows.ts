/**
 * A flow is a named scenario that runs on any stack: the embedded default (e2e) and the
 * production path (integration). Each flow module exports one table of flows, and each spec
 * file hands it to `describeFlows` with its own stack, so that both tiers run the same list
 * under the same names and a flow added to the table runs everywhere.
 */
export interface Flow<C> {
  /** The it() name, the same on every stack. */
  name: string;
  run(ctx: C): Promise<void>;
}

/** A stack that is up: the context the flows run with, and how to take it down. */
export interface Started<C> {
  ctx: C;
  close(): Promise<void>;
}

export interface FlowOptions {
  /** Per-flow timeout in ms (jest's default otherwise). */
  timeout?: number;
}

/**
 * Registers, inside the current describe block, one stack started before the flows and closed
 * after them, and one it() per flow. Returns the running stack (inside tests and hooks) for the
 * extra tests of the same block that belong to one stack only.
 */
export function runFlows<C, S extends Started<C> = Started<C>>(
  flows: ReadonlyArray<Flow<C>>,
  start: () => Promise<S>,
  { timeout }: FlowOptions = {},
): () => S {
  let started: S | undefined;
  const running = (): S => {
    if (!started) throw new Error('the stack did not start');
    return started;
  };
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.close();
  });
  for (const flow of flows) {
    it(flow.name, () => flow.run(running().ctx), timeout);
  }
  return running;
}

/** `describe(title)` around `runFlows`: the whole spec file of a flow on one stack. */
export function describeFlows<C>(
  title: string,
  flows: ReadonlyArray<Flow<C>>,
  start: () => Promise<Started<C>>,
  options: FlowOptions = {},
): void {
  describe(title, () => {
    runFlows(flows, start, options);
  });
}
