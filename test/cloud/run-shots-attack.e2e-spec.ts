import { CloudHarness } from '../support/cloud-app';
import { startDeviceCloud } from '../support/device-cloud';
import { Account, createWindow } from '../support/factories';
import { LineClient } from '../support/line-client';
import { png, sha } from '../support/png';

const ENV = {
  DEVICE_HEARTBEAT_SECONDS: '1',
  DEVICE_OFFLINE_SECONDS: '600',
  RUN_SWEEP_MS: '200',
  RUNS_PER_DEVICE: '8',
  RUN_SHOTS_TEAM_MAX_BYTES: String(3 << 20),
};

/**
 * Screenshots as a hostile device of the team would send them: many at once, each to a window run
 * of its own, so that no command row lock puts them one after the other. The team's bound holds all
 * the same.
 */
describe('run screenshots under attack', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let desk: LineClient;

  let close: () => Promise<void>;

  beforeAll(async () => ({ cloud, owner, desk, close } = await startDeviceCloud(ENV)));
  afterAll(() => close());

  it("uploads sent together to different window runs do not pass the team's byte bound", async () => {
    const windows = 8;
    const task = (await cloud.post('/task/create', { name: 'shots', steps: [{ type: 'screenshot' }] }, owner.token)).data;
    const ids: number[] = [];
    for (let i = 0; i < windows; i++) ids.push((await createWindow(cloud, owner)).id);
    const started = await cloud.post(
      '/run/start',
      { taskId: task.id, windowIds: ids, devices: [owner.deviceId], concurrency: windows },
      owner.token,
    );
    expect(started.code).toBe(0);
    const commands: string[] = [];
    for (let i = 0; i < windows; i++) commands.push((await desk.next('command')).commandId);
    // 1.2 MiB each against a bound of 3 MiB: two fit, whatever the order they arrive in.
    const answers = await Promise.all(
      commands.map((commandId, i) => {
        const image = png(4 + i, 3, 1_200_000);
        return cloud
          .raw()
          .put(`/run/shot?commandId=${commandId}&sha256=${sha(image)}&step=0`)
          .set('Authorization', `Bearer ${owner.token}`)
          .set('Content-Type', 'application/octet-stream')
          .send(image);
      }),
    );
    const kept = answers.filter((a) => a.body.code === 0).length;
    const [{ bytes }] = await cloud.db.query(`SELECT coalesce(sum(size), 0)::bigint AS bytes FROM run_shots WHERE team_id = $1`, [
      owner.teamId,
    ]);
    expect({ kept, bytes: Number(bytes) <= 3 << 20 }).toEqual({ kept: 2, bytes: true });
  });
});
