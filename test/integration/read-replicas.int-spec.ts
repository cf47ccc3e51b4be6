import { RowDataPacket } from 'mysql2/promise';
import TestAgent from 'supertest/lib/agent';
import { ReadReplicas } from '@lmp/database';
import { RunningConsole, startConsole } from '../support/console-app';
import { MariaDbReplicaPair } from '../support/engines/mariadb';
import { waitUntil } from '../support/fault';
import { api, signIn } from '../support/http';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { Tenant, tenantWithData } from '../support/partner-console';

const DB = 'lmp';

/**
 * DATABASE_REPLICA_URLS on real engines: a private MariaDB primary and a replica following it by
 * binary-log replication. Browse reads go to the replica (its SELECT counter rises); sign-in,
 * resets and every write stay on the primary, so a replica that lags never shows stale data; a
 * replica that is stopped or killed is skipped and the console carries on on the primary.
 */
describe('read replicas on MariaDB primary + replica', () => {
  let engines: MariaDbReplicaPair;
  let sut: RunningConsole;
  let a: Tenant;
  let adminEmail: string;

  const usable = () => sut.app.get(ReadReplicas).usable();
  const browse = async (admin: TestAgent, tenant: Tenant) => {
    const customers = await admin.get('/api/v1/partner/customers?q=repa').expect(200);
    const c = `/api/v1/partner/customers/${tenant.customerId}`;
    const accounts = await admin.get(`${c}/accounts`).expect(200);
    await admin.get(`${c}/licenses`).expect(200);
    await admin.get('/api/v1/partner/audit').expect(200);
    return { accounts: accounts.body.total as number, customers: customers.body.total as number };
  };
  const selectsOnReplica = () => engines.replica.status('Com_select');

  beforeAll(async () => {
    engines = await MariaDbReplicaPair.start(DB);
    sut = await startConsole({
      DATABASE_URL: engines.primary.url(DB),
      DATABASE_REPLICA_URLS: engines.replica.url(DB),
      REPLICA_MAX_LAG_MS: '2000',
      MIGRATE_ON_START: 'true',
    });
    a = await tenantWithData(sut.app, 'repa');
    adminEmail = 'admin@repa.example.com';
    await sut.settle();
    await engines.caughtUp();
    await waitUntil('the replica to be in use', () => usable().length === 1, 10_000);
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
    await engines?.stop();
  });

  it('sends the browse reads to the replica and sign-ins to the primary', async () => {
    const before = await selectsOnReplica();
    for (let i = 0; i < 5; i++) expect(await browse(a.admin, a)).toEqual({ customers: 1, accounts: 1 });
    const afterBrowse = await selectsOnReplica();
    // 5 rounds of 4 pages, at least one SELECT each.
    expect(afterBrowse - before).toBeGreaterThanOrEqual(20);

    for (let i = 0; i < 5; i++) await signIn(sut.app, adminEmail, 'partner admin passphrase');
    await a.admin.get('/api/v1/auth/session').expect(200);
    await a.admin.get(`/api/v1/partner/customers/${a.customerId}/accounts/${a.accountId}`).expect(200);
    expect(await selectsOnReplica()).toBe(afterBrowse);
  });

  it('signs in and resets on fresh data while the replica lags, and browses on the primary once it is skipped', async () => {
    await engines.replica.query('STOP SLAVE SQL_THREAD');
    try {
      await waitUntil('the stopped replica to be skipped', () => usable().length === 0, 5000);
      const replicaSelects = await selectsOnReplica();

      // A new account and its reset at once: the replica has neither, the primary has both.
      const c = `/api/v1/partner/customers/${a.customerId}`;
      const email = 'fresh@repa-customer.example.com';
      const created = await a.admin
        .post(`${c}/accounts`)
        .send({ email, firstName: 'Fresh', lastName: 'Account', role: 'full_access' })
        .expect(201);
      await a.admin.post(`${c}/accounts/${created.body.id}/password-reset`).expect(202);
      await sut.settle();
      const [mail] = await mailsTo(sut.dataDir, email, 'Reset your password');
      await api(sut.app)
        .post('/api/v1/auth/reset-password')
        .send({ token: tokenOf(linkIn(mail, '/reset-password')), password: 'fresh passphrase one' })
        .expect(200);
      await signIn(sut.app, email, 'fresh passphrase one');
      await api(sut.app).post('/api/v1/auth/login').send({ email, password: 'a guess that is wrong' }).expect(401);

      // The browse lists show it at once: they are read on the primary while the replica is skipped.
      expect(await browse(a.admin, a)).toEqual({ customers: 1, accounts: 2 });
      expect(await selectsOnReplica()).toBe(replicaSelects);
    } finally {
      await engines.replica.query('START SLAVE SQL_THREAD');
    }
    await waitUntil('the replica to be in use again', () => usable().length === 1, 10_000);
    const before = await selectsOnReplica();
    expect(await browse(a.admin, a)).toEqual({ customers: 1, accounts: 2 });
    expect(await selectsOnReplica()).toBeGreaterThan(before);
  });

  it('skips a replica that falls further behind than REPLICA_MAX_LAG_MS, and uses it again once it catches up', async () => {
    // Delayed replication: every change reaches the replica 6 s late, beyond the 2 s allowed.
    await engines.replica.query('STOP SLAVE');
    await engines.replica.query('CHANGE MASTER TO MASTER_DELAY=6');
    await engines.replica.query('START SLAVE');
    try {
      await a.admin.post('/api/v1/partner/customers').send({ companyName: 'repa later', country: 'DE' }).expect(201);
      await waitUntil('the lagging replica to be skipped', () => usable().length === 0, 8000);
      const lag = await engines.replica.query<{ Seconds_Behind_Master: number } & RowDataPacket>('SHOW SLAVE STATUS');
      expect(Number(lag[0].Seconds_Behind_Master)).toBeGreaterThan(2);
      // Read on the primary meanwhile: the new customer is there.
      expect((await a.admin.get('/api/v1/partner/customers?q=repa').expect(200)).body.total).toBe(2);
    } finally {
      await engines.replica.query('STOP SLAVE');
      await engines.replica.query('CHANGE MASTER TO MASTER_DELAY=0');
      await engines.replica.query('START SLAVE');
    }
    await engines.caughtUp();
    await waitUntil('the replica to be in use again', () => usable().length === 1, 10_000);
    expect((await a.admin.get('/api/v1/partner/customers?q=repa').expect(200)).body.total).toBe(2);
  });

  it('keeps working on the primary when the replica is killed', async () => {
    await engines.replica.kill();

    // The first browse after the crash runs again on the primary; later ones go there directly.
    expect(await browse(a.admin, a)).toEqual({ customers: 2, accounts: 2 });
    await waitUntil('the killed replica to be skipped', () => usable().length === 0, 5000);
    expect(await browse(a.admin, a)).toEqual({ customers: 2, accounts: 2 });
    const admin = await signIn(sut.app, adminEmail, 'partner admin passphrase');
    await admin.post(`/api/v1/partner/customers/${a.customerId}/accounts/${a.accountId}/password-reset`).expect(202);
    await sut.settle();
    expect(await mailsTo(sut.dataDir, `user@repa-customer.example.com`, 'Reset your password')).toHaveLength(2);
  });
});
