import { DatabaseLocation } from '../../apps/cloud/src/database/database.module';
import { statementName } from '../../apps/cloud/src/database/prepared-reads';
import { HEALTH_PROBE } from '../../apps/cloud/src/health/health.controller';
import { CloudHarness, startCloud } from '../support/cloud-app';

describe('health of the embedded database', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud({ embedded: true });
  });
  afterAll(() => cloud.close());

  it('answers 503 naming the database when its session takes plain queries but not the prepared reads', async () => {
    // The session already holds the name the probe prepares under, as a reused session would.
    await cloud.db.query(`PREPARE ${statementName(HEALTH_PROBE)} AS SELECT 2`);
    const res = await cloud.raw().get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      code: 503,
      msg: 'The embedded database (PGlite) cannot serve requests: query failed (SQLSTATE 42P05)',
      data: { status: 'degraded', database: 'embedded', databaseError: 'query failed (SQLSTATE 42P05)' },
    });
  });

  it('answers 503 naming the database when the database is gone', async () => {
    await cloud.app.get(DatabaseLocation).onApplicationShutdown();
    const res = await cloud.raw().get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      code: 503,
      msg: expect.stringMatching(/^The embedded database \(PGlite\) cannot serve requests: /),
      data: { status: 'degraded', database: 'embedded' },
    });
  });
});

describe('health and OpenAPI', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud();
  });
  afterAll(() => cloud.close());

  it('GET /health answers without auth', async () => {
    const res = await cloud.raw().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 0,
      msg: 'success',
      data: { status: 'ok', uptime: expect.any(Number), database: 'postgres', version: '0.1.0' },
    });
  });

  it('answers 503 degraded when the database does not answer', async () => {
    // Only the probe's statement fails: the app's own timers (run sweep, job polls) query meanwhile and must not take the failure.
    const query = cloud.db.query.bind(cloud.db);
    const probe = jest
      .spyOn(cloud.db, 'query')
      .mockImplementation((sql: string, ...rest: unknown[]) =>
        sql === 'SELECT 1' ? Promise.reject(new Error('connection refused')) : query(sql, ...(rest as [unknown[]])),
      );
    const res = await cloud.raw().get('/health');
    probe.mockRestore();
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      code: 503,
      msg: 'The PostgreSQL database cannot serve requests: connection failed',
      data: { status: 'degraded', uptime: expect.any(Number), database: 'postgres', version: '0.1.0', databaseError: 'connection failed' },
    });
  });

  it('serves an OpenAPI document with every endpoint and its body', async () => {
    const res = await cloud.raw().get('/docs-json');
    expect(res.status).toBe(200);
    const doc = res.body as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; security?: unknown[] }>
      >;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/auth/register',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/auth/me',
      '/auth/token/create',
      '/auth/token/list',
      '/auth/token/revoke',
      '/team/member/list',
      '/team/member/add',
      '/team/member/update',
      '/team/member/remove',
      '/team/permission/list',
      '/browser/update',
      '/browser/update/partial',
      '/browser/detail',
      '/browser/list',
      '/browser/delete',
      '/browser/delete/ids',
      '/browser/group/update',
      '/browser/remark/update',
      '/browser/proxy/update',
      '/browser/recycle/list',
      '/browser/recycle/restore',
      '/browser/recycle/delete',
      '/browser/recycle/clear',
      '/browser/launch',
      '/browser/open-status/update',
      '/browser/close',
      '/group/list',
      '/group/add',
      '/group/update',
      '/group/delete',
      '/tag/list',
      '/tag/add',
      '/tag/update',
      '/tag/delete',
      '/health',
    ]) {
      expect(paths).toContain(path);
    }
    const update = doc.paths['/browser/update'].post;
    const schemaName = update.requestBody!.content['application/json'].schema.$ref!.split('/').pop()!;
    expect(Object.keys(doc.components.schemas[schemaName].properties)).toEqual(
      expect.arrayContaining([
        'id',
        'browserId',
        'uuid',
        'name',
        'groupId',
        'tagIds',
        'remark',
        'browserFingerPrint',
        'config',
        'proxyMethod',
        'proxyType',
        'host',
        'port',
        'proxyUserName',
        'proxyPassword',
        'dynamicIpUrl',
        'refreshProxyUrl',
        'ipCheckService',
      ]),
    );
    expect(update.security).toEqual([{ bearer: [] }]);
    const proxy = doc.paths['/browser/proxy/update'].post.requestBody!.content['application/json'].schema.$ref!.split('/').pop()!;
    expect(Object.keys(doc.components.schemas[proxy].properties)).toEqual(
      expect.arrayContaining(['ids', 'proxyMethod', 'dynamicIpChannel', 'isDynamicIpChangeIp', 'enableSocks5Udp']),
    );
    expect((await cloud.raw().get('/docs/')).status).toBe(200);
  });
});
