import { api } from '../support/http';
import { RunningConsole, startConsole } from '../support/console-app';
import { fuzz, FuzzRoute, FuzzSession, jsonRoutes, servedApiRoutes } from '../support/fuzz';

/**
 * Hostile input never gets a 5xx: fast-check requests to every JSON route, anonymous and as each
 * role. One run from a fixed seed (FUZZ_SEED, or the constant) and one from a random seed, both
 * printed on failure; `npm run fuzz -- --requests 20000` runs the same generator for longer.
 */
const FIXED_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RANDOM_SEED = Math.floor(Math.random() * 2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);

describe('fuzzing the JSON API', () => {
  let sut: RunningConsole;
  let session: FuzzSession;
  let routes: FuzzRoute[];

  beforeAll(async () => {
    sut = await startConsole();
    routes = jsonRoutes(sut.app);
    session = await FuzzSession.start(sut.app);
  });
  afterAll(() => sut.close());

  it('finds every route the API serves', () => {
    const found = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(found).toEqual(servedApiRoutes(sut.app));
    expect(found).toEqual(expect.arrayContaining(['POST /api/v1/auth/login', 'PATCH /api/v1/partner/settings']));
    const create = routes.find(
      (r) => r.method === 'POST' && r.path === '/api/v1/partner/customers/:customerId/licenses',
    );
    expect(create).toMatchObject({ params: ['customerId'] });
    expect(create!.bodyFields!.sort()).toEqual(['expiresAt', 'product', 'seats', 'startsAt']);
  });

  it.each([
    ['fixed', FIXED_SEED],
    ['random', RANDOM_SEED],
  ])('answers no request with a 5xx (%s seed %d)', async (_label, seed) => {
    const sentBefore = session.report.sent;
    const failure = await fuzz(sut.app, session, { requests: REQUESTS, seed, routes });
    if (failure)
      throw new Error(
        `5xx with seed ${seed}; run again with FUZZ_SEED=${seed} npx jest test/e2e/fuzz.e2e-spec.ts ` +
          `or npm run fuzz -- --seed ${seed} --requests ${REQUESTS}:\n${failure}`,
      );
    expect(session.report.sent - sentBefore).toBe(REQUESTS);
    expect(session.report.serverErrors).toEqual([]);
    // Every route was reached, and not only refused: some requests got through.
    expect(Object.keys(session.report.byRoute).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    const statuses = Object.keys(session.report.byStatus).map(Number);
    expect(statuses.some((s) => s < 300)).toBe(true);
    expect(statuses.some((s) => s === 400)).toBe(true);
    // Still healthy afterwards, and the actors still work.
    await api(sut.app).get('/health/live').expect(200, { status: 'ok' });
    await api(sut.app).get('/health/ready').expect(200);
    await session.world.actors.partner_admin!.agent.get('/api/v1/partner/customers').expect(200);
  });
});
