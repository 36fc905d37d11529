import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createGroup, createWindow, registerOwner } from '../support/factories';
import { listeningTcpPorts } from '../support/listening-sockets';

// The embedded database compiles and migrates in the test's process: on a busy machine that alone
// took more than the default minute.
jest.setTimeout(180_000);

/** The default install: `npm start` without DATABASE_URL runs on the embedded database. */
describe('embedded PostgreSQL under concurrent load', () => {
  let cloud: CloudHarness;

  beforeAll(async () => {
    cloud = await startCloud({ embedded: true });
  });
  afterAll(() => cloud.close());

  it('is reachable only through a Unix socket in a 0700 folder of the data folder, never a TCP port', () => {
    const ports = listeningTcpPorts();
    expect(ports).toEqual([]);
    const socketDir = join(cloud.dataDir, 'run');
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(cloud.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(socketDir, '.s.PGSQL.5432')).isSocket()).toBe(true);
  });

  it('refuses a second client on its socket: one session, one connection', async () => {
    const intruder = new Client({ host: join(cloud.dataDir, 'run'), user: 'postgres', database: 'postgres' });
    intruder.on('error', () => undefined);
    await expect(intruder.connect().then(() => intruder.query('SELECT email FROM users'))).rejects.toThrow();
    await intruder.end().catch(() => undefined);
    expect((await cloud.raw().get('/health')).body.data).toMatchObject({ status: 'ok', database: 'embedded' });
  });

  it('gives 30 concurrent clients of two teams only their own answers, never a 500', async () => {
    const teams: { owner: Account; uuids: Set<string>; ids: number[]; groupId: number }[] = [];
    for (let t = 0; t < 2; t++) {
      const owner = await registerOwner(cloud);
      const groupId = await createGroup(cloud, owner);
      const windows = [];
      for (let i = 0; i < 5; i++) windows.push(await createWindow(cloud, owner, { name: `team${t}-w${i}`, groupId }));
      teams.push({ owner, uuids: new Set(windows.map((w) => w.uuid)), ids: windows.map((w) => w.id), groupId });
    }
    const calls: Array<(team: (typeof teams)[number], n: number) => [string, object]> = [
      (team, n) => ['/browser/detail', { id: team.ids[n % team.ids.length] }],
      () => ['/browser/list', { page: 0, pageSize: 10 }],
      (team, n) => ['/browser/update/partial', { ids: [team.ids[n % team.ids.length]], remark: `r${n}` }],
      () => ['/auth/me', {}],
      () => ['/group/list', {}],
    ];
    const failures: string[] = [];
    const leaks: string[] = [];
    const client = async (c: number) => {
      const mine = teams[c % 2];
      const theirs = teams[(c + 1) % 2];
      for (let n = 0; n < 40; n++) {
        const [path, body] = calls[(c + n) % calls.length](mine, n);
        const res = await cloud.post(path, body, mine.owner.token);
        if (res.code !== 0) {
          failures.push(`${path}: ${res.code} ${res.msg}`);
          continue;
        }
        const text = JSON.stringify(res.data);
        if ([...theirs.uuids].some((uuid) => text.includes(uuid))) leaks.push(`${path}: the other team's window`);
        if (path === '/auth/me' && res.data.team.id !== mine.owner.teamId) leaks.push(`${path}: team ${res.data.team.id}`);
        if (path === '/group/list' && res.data.list.some((g: { id: number }) => g.id !== mine.groupId))
          leaks.push(`${path}: the other team's group`);
      }
    };
    await Promise.all(Array.from({ length: 30 }, (_, c) => client(c)));
    expect(failures).toEqual([]);
    expect(leaks).toEqual([]);
  });
});
