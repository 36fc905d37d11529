import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunShots } from '../../apps/cloud/src/runs/run-shots';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { startDeviceCloud } from '../support/device-cloud';
import { Account, addMember, createWindow, registerOwner, signIn, snapshot } from '../support/factories';
import { line, LineClient } from '../support/line-client';
import { png, sha } from '../support/png';
import { startS3 } from '../support/s3';
import { S3BlobStore } from '../../apps/cloud/src/profiles/blob-store';
import { waitFor } from '../support/wait-for';

const ENV = {
  DEVICE_HEARTBEAT_SECONDS: '1',
  DEVICE_OFFLINE_SECONDS: '600',
  RUN_SWEEP_MS: '200',
  RUN_SHOTS_TEAM_MAX_BYTES: String(3 << 20),
};

/**
 * Screenshots of runs as the cloud takes them: only from the device the window run was sent to,
 * while it is under way, only PNG, bounded per window run and per team; shown to whoever may see
 * the run and to nobody else; deleted after their days. The log a device tells is kept by allowlist.
 */
describe('run screenshots and logs', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let desk: LineClient;

  let close: () => Promise<void>;

  beforeAll(async () => ({ cloud, owner, desk, close } = await startDeviceCloud(ENV)));
  afterAll(() => close());

  const put = (query: string, bytes: Buffer | string, token = owner.token, type = 'application/octet-stream') =>
    cloud.raw().put(`/run/shot?${query}`).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(bytes);
  const upload = (commandId: string, bytes: Buffer, token = owner.token, step = 0) =>
    put(`commandId=${commandId}&sha256=${sha(bytes)}&step=${step}`, bytes, token);

  async function runOne(): Promise<{ runId: string; commandId: string }> {
    const task = (await cloud.post('/task/create', { name: `t${Math.random()}`, steps: [{ type: 'screenshot' }] }, owner.token)).data;
    const w = await createWindow(cloud, owner);
    const started = await cloud.post('/run/start', { taskId: task.id, windowIds: [w.id], devices: [owner.deviceId] }, owner.token);
    expect(started.code).toBe(0);
    const command = await desk.next('command');
    return { runId: started.data.id, commandId: command.commandId };
  }

  it("takes a PNG from the run's own device while it runs, shows it to who may see the run, and keeps a log by allowlist", async () => {
    const { runId, commandId } = await runOne();
    const image = png(640, 400);
    const kept = await upload(commandId, image);
    expect(kept.body).toMatchObject({ code: 0, data: { id: expect.any(String) } });
    const got = await cloud.raw().get(`/run/shot?id=${kept.body.data.id}`).set('Authorization', `Bearer ${owner.token}`).buffer(true);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['content-security-policy']).toContain('sandbox');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(got.body as Buffer, image)).toBe(0);

    // Another device of the same member, a teammate, and the device itself once it has answered: refused, nothing kept.
    const before = await snapshot(cloud);
    const other = await signIn(cloud, owner);
    expect((await upload(commandId, png(), other.token)).body).toMatchObject({
      code: 404,
      msg: expect.stringContaining('No run of this device'),
    });
    desk.send({
      type: 'answer',
      commandId,
      code: 0,
      msg: 'success',
      data: {
        results: [{ index: 0, type: 'screenshot', ok: true, shot: kept.body.data.id }],
        log: [
          { ms: 5, text: 'window open' },
          { ms: 'x', text: 'dropped' },
          { ms: 9, text: 'y'.repeat(2000) },
          'not a line',
          { ms: 12, text: 7 },
        ],
      },
    });
    await waitFor(async () => (await cloud.post('/run/detail', { id: runId }, owner.token)).data.status === 'succeeded');
    expect(await snapshot(cloud)).not.toBe(before);
    const afterAnswer = await snapshot(cloud);
    expect((await upload(commandId, png())).body).toMatchObject({ code: 404 });
    expect(await snapshot(cloud)).toBe(afterAnswer);

    const run = (await cloud.post('/run/detail', { id: runId }, owner.token)).data;
    expect(run.windows[0].shots).toEqual([
      expect.objectContaining({ id: kept.body.data.id, step: 0, width: 640, height: 400, size: image.length }),
    ]);
    expect(run.windows[0].log).toEqual([
      { ms: 5, text: 'window open' },
      { ms: 9, text: 'y'.repeat(500) },
    ]);
    const stranger = await addMember(cloud, owner, { permissions: ['task:run', 'browser:open'] });
    const hidden = await cloud.raw().get(`/run/shot?id=${kept.body.data.id}`).set('Authorization', `Bearer ${stranger.token}`);
    expect(hidden.body).toMatchObject({ code: 404, msg: `Screenshot ${kept.body.data.id} not found` });
  });

  it('who may send and see them: the permission matrix of PUT and GET /run/shot', async () => {
    const { runId, commandId } = await runOne();
    const id = (await upload(commandId, png())).body.data.id;
    const stranger = await registerOwner(cloud);
    const lacking = await addMember(cloud, owner, { permissions: ['task:run', 'browser:list'] });
    const manager = await addMember(cloud, owner, { permissions: ['team:manage', 'browser:open'] });
    const image = png(9, 9);
    const before = await snapshot(cloud);
    const anonymous = await cloud
      .raw()
      .put(`/run/shot?commandId=${commandId}&sha256=${sha(image)}`)
      .set('Content-Type', 'application/octet-stream')
      .send(image);
    expect(anonymous.body).toMatchObject({ code: 401 });
    expect((await upload(commandId, image, 'not-a-token')).body).toMatchObject({ code: 401 });
    expect((await upload(commandId, image, lacking.token)).body).toMatchObject({ code: 403, msg: expect.stringContaining('browser:open') });
    expect((await upload(commandId, image, stranger.token)).body).toMatchObject({ code: 404 });
    expect((await upload(commandId, image, manager.token)).body).toMatchObject({ code: 404 });
    expect(await snapshot(cloud)).toBe(before);
    const see = (token: string) => cloud.raw().get(`/run/shot?id=${id}`).set('Authorization', `Bearer ${token}`);
    expect((await see(owner.token)).status).toBe(200);
    expect((await see(manager.token)).status).toBe(200);
    for (const token of [stranger.token, lacking.token]) expect((await see(token)).body).toMatchObject({ code: 404 });
    expect((await cloud.raw().get(`/run/shot?id=${id}`)).body).toMatchObject({ code: 401 });
    expect((await cloud.raw().get('/run/shot?id=nope').set('Authorization', `Bearer ${owner.token}`)).body).toMatchObject({
      code: 211,
      msg: 'id must be a screenshot id (a UUID)',
    });
    expect((await cloud.post('/run/detail', { id: runId }, owner.token)).data.windows[0].shots).toHaveLength(1);
  });

  it('refuses what is not a PNG, is not what its hash says, is too large or too many, and the bytes over the team bound', async () => {
    const { commandId } = await runOne();
    const before = await snapshot(cloud);
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    expect((await upload(commandId, html)).body).toMatchObject({ code: 211, msg: expect.stringContaining('not a PNG image') });
    const tail = Buffer.concat([png(), Buffer.from('<script>alert(1)</script>')]);
    expect((await upload(commandId, tail)).body).toMatchObject({ code: 211, msg: expect.stringContaining('bytes follow its end') });
    // An area a teammate's browser would need gigabytes to decode, however small the file.
    const vast = png();
    vast.writeUInt32BE(10_000, 16);
    vast.writeUInt32BE(10_000, 20);
    expect((await upload(commandId, vast)).body).toMatchObject({ code: 211, msg: expect.stringContaining('10000×10000 pixels') });
    const huge = png(40_000, 10);
    expect((await upload(commandId, huge)).body).toMatchObject({ code: 211, msg: expect.stringContaining('40000×10 pixels') });
    const image = png();
    expect((await put(`commandId=${commandId}&sha256=${sha(html)}`, image)).body).toMatchObject({
      code: 211,
      msg: expect.stringContaining('hash to'),
    });
    expect((await put(`commandId=${commandId}&sha256=${sha(image)}`, image, owner.token, 'image/png')).body).toMatchObject({ code: 211 });
    expect((await upload(commandId, png(4, 3, 5 * 1024 * 1024))).body).toMatchObject({
      code: 211,
      msg: expect.stringContaining('at most 5242880 bytes'),
    });
    for (const query of [
      'commandId=x&sha256=' + sha(image),
      `commandId=${commandId}&sha256=ABC`,
      `commandId=${commandId}&sha256=${sha(image)}&step=100`,
    ])
      expect((await put(query, image)).body).toMatchObject({ code: 211 });
    expect(await snapshot(cloud)).toBe(before);

    // The team keeps 3 MiB here: two of 1.2 MiB fit, a third does not.
    const big = [png(4, 3, 1_200_000), png(5, 3, 1_200_000), png(6, 3, 1_200_000)];
    expect((await upload(commandId, big[0])).body.code).toBe(0);
    expect((await upload(commandId, big[1])).body.code).toBe(0);
    expect((await upload(commandId, big[2])).body).toMatchObject({ code: 429, msg: expect.stringContaining('RUN_SHOTS_TEAM_MAX_BYTES') });
    for (let i = 0; i < 9; i++) expect((await upload(commandId, png(7 + i, 2))).body.code).toBe(0);
    expect((await upload(commandId, png(30, 2))).body).toMatchObject({ code: 409, msg: expect.stringContaining('at most 11 screenshots') });
  });

  it('deletes screenshots past their days, and their bytes once no screenshot names them', async () => {
    const { commandId } = await runOne();
    const image = png(12, 12);
    const id = (await upload(commandId, image)).body.data.id;
    const twin = (await upload(commandId, image)).body.data.id;
    const file = join(cloud.dataDir, 'run-shots', sha(image).slice(0, 2), sha(image).slice(2, 4), sha(image));
    expect(existsSync(file)).toBe(true);
    await cloud.db.query(`UPDATE run_shots SET created_at = now() - interval '31 days' WHERE id = $1`, [id]);
    await cloud.app.get(RunShots).collect();
    expect(existsSync(file)).toBe(true);
    const kept = await cloud.raw().get(`/run/shot?id=${twin}`).set('Authorization', `Bearer ${owner.token}`);
    expect(kept.status).toBe(200);
    await cloud.db.query(`UPDATE run_shots SET created_at = now() - interval '31 days' WHERE id = $1`, [twin]);
    await cloud.app.get(RunShots).collect();
    expect(existsSync(file)).toBe(false);
    const gone = await cloud.raw().get(`/run/shot?id=${twin}`).set('Authorization', `Bearer ${owner.token}`);
    expect(gone.body).toMatchObject({ code: 404 });
  });

  it('on S3 they are kept under their own prefix, never among the profile blobs', async () => {
    const s3 = await startS3();
    const other = await startCloud({ listen: true, env: { ...ENV, ...s3.env } });
    const store = (prefix: string) =>
      new S3BlobStore({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        bucket: s3.bucket,
        forcePathStyle: true,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        prefix,
      });
    try {
      const who = await registerOwner(other);
      const device = await line(other.url, who.token);
      await device.hello();
      const task = (await other.post('/task/create', { name: 's3', steps: [{ type: 'screenshot' }] }, who.token)).data;
      const w = await createWindow(other, who);
      expect((await other.post('/run/start', { taskId: task.id, windowIds: [w.id], devices: [who.deviceId] }, who.token)).code).toBe(0);
      const { commandId } = await device.next('command');
      const image = png(33, 17);
      const id = (
        await other
          .raw()
          .put(`/run/shot?commandId=${commandId}&sha256=${sha(image)}`)
          .set('Authorization', `Bearer ${who.token}`)
          .set('Content-Type', 'application/octet-stream')
          .send(image)
      ).body.data.id;
      const got = await other.raw().get(`/run/shot?id=${id}`).set('Authorization', `Bearer ${who.token}`).buffer(true);
      expect(Buffer.compare(got.body as Buffer, image)).toBe(0);
      const [shots, blobs] = [store('run-shots/'), store('profile-blobs/')];
      expect(await shots.has(sha(image))).toBe(true);
      expect(await blobs.has(sha(image))).toBe(false);
      shots.destroy();
      blobs.destroy();
      device.ws.terminate();
    } finally {
      await other.close();
      await s3.close();
    }
  });
});
