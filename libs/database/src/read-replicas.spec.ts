import { DataSource, EntityManager } from 'typeorm';
import { ReadReplicas, replicationLag } from './read-replicas';

describe(replicationLag.name, () => {
  it('reads Seconds_Behind_Master (MariaDB, older MySQL) or Seconds_Behind_Source (MySQL 8) in ms', () => {
    expect(replicationLag([{ Seconds_Behind_Master: 0 }])).toBe(0);
    expect(replicationLag([{ Seconds_Behind_Master: '7' }])).toBe(7000);
    expect(replicationLag([{ Seconds_Behind_Source: 3 }])).toBe(3000);
  });

  it('takes the worst of several sources', () => {
    expect(replicationLag([{ Seconds_Behind_Master: 1 }, { Seconds_Behind_Master: 9 }])).toBe(9000);
  });

  it('says why a server that is not replicating cannot be used', () => {
    expect(replicationLag([])).toMatch(/not a replica/);
    expect(replicationLag([{ Seconds_Behind_Master: null }])).toMatch(/replication is stopped/);
  });
});

describe(ReadReplicas.name, () => {
  it('runs browse reads on the primary when no replica is configured', async () => {
    const manager = {} as EntityManager;
    const sut = new ReadReplicas({ manager } as DataSource);
    await sut.onModuleInit();

    const used = await sut.read(async (em) => em);

    expect(used).toBe(manager);
    expect(sut.usable()).toEqual([]);
  });

  it('uses the primary while a configured replica cannot be reached, and says so', async () => {
    const manager = {} as EntityManager;
    const sut = new ReadReplicas({ manager } as DataSource, { urls: ['mysql://ro@127.0.0.1:1/lmp'], maxLagMs: 5000 });
    await sut.onModuleInit();
    try {
      expect(sut.usable()).toEqual([]);
      expect(await sut.read(async (em) => em)).toBe(manager);
    } finally {
      await sut.onModuleDestroy();
    }
  });
});
