import { companyWithAdmin } from '../support/account-flow';
import { RunningConsole, startConsole } from '../support/console-app';
import { partnerWithAdmin } from '../support/fixtures';

/** The pages that show country names: the profile's country list and the partner's customers. */
describe('country names on the pages', () => {
  let sut: RunningConsole;

  beforeAll(async () => {
    sut = await startConsole();
  });
  afterAll(() => sut?.close());

  it('offers every country by its English name, sorted by name, on the profile', async () => {
    const co = await companyWithAdmin(sut.app, 'countries');
    const page = await co.admin.agent.get('/account/profile').expect(200);
    const options = [...page.text.matchAll(/<option value="([A-Z]{2})"[^>]*>([^<]+)<\/option>/g)].map((m) => ({
      code: m[1],
      name: m[2].trim(),
    }));
    expect(options).toHaveLength(249);
    expect(options.slice(0, 3).map((o) => o.name)).toEqual(['Afghanistan', 'Åland Islands', 'Albania']);
    expect(options).toContainEqual({ code: 'GB', name: 'United Kingdom' });
    expect(options).toContainEqual({ code: 'DE', name: 'Germany' });
  });

  it("shows a customer's country by name in the partner's list and on the customer page", async () => {
    const { agent } = await partnerWithAdmin(sut.app);
    const c = await agent.post('/api/v1/partner/customers').send({ companyName: 'Kiwi Co', country: 'NZ' }).expect(201);
    expect((await agent.get('/partner/customers?q=kiwi').expect(200)).text).toContain('New Zealand');
    expect((await agent.get(`/partner/customers/${c.body.id}`).expect(200)).text).toContain('New Zealand');
  });
});
