import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createWindow, registerOwner, snapshot } from '../support/factories';
import { HEARTBEAT, line, LineClient, openLine } from '../support/line-client';
import { waitFor } from '../support/wait-for';

// Short heartbeats, so the tests wait past the offline window in seconds.
const ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '3', DEVICE_LINES_PER_USER: '3' };

describe('device line: who may connect, what a line may say', () => {
  let cloud: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: ENV });
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it('refuses an upgrade without a valid Bearer token, from a web page, or on another path', async () => {
    expect(await openLine(cloud.url, null)).toEqual({
      refused: true,
      status: 401,
      body: { code: 401, msg: 'Missing Bearer token', data: {} },
    });
    expect(await openLine(cloud.url, 'not.a.jwt')).toMatchObject({ refused: true, status: 401, body: { code: 401, msg: 'Token invalid' } });
    expect(
      await openLine(cloud.url, cloud.signToken({ sub: owner.userId, sid: 'x', tid: owner.teamId }, { expiresIn: -10 })),
    ).toMatchObject({
      refused: true,
      status: 401,
      body: { code: 401, msg: 'Token expired' },
    });
    // A browser always sends Origin with a WebSocket: a page that learned a token still gets no line.
    expect(await openLine(cloud.url, owner.token, { Origin: 'https://evil.example' })).toMatchObject({ refused: true, status: 403 });
    const other = await openLine(cloud.url.replace(/$/, '/events'), owner.token);
    expect(other).toMatchObject({ refused: true, status: 404 });
  });

  it('a line says hello first, in text, within the allowlist; anything else closes it and leaves the device offline', async () => {
    const bad: [unknown, string][] = [
      [HEARTBEAT, 'hello first'],
      [{ type: 'hello', version: '1', hostname: 'desk', platform: 'linux', capacity: {} }, 'hello: version'],
      [
        { type: 'hello', version: '1', hostname: '<script>', platform: 'linux', capacity: HEARTBEAT.capacity, extra: 1 },
        'hello: unknown field',
      ],
      [{ type: 'hello', version: '1', hostname: 'a\u0000b', platform: 'linux', capacity: HEARTBEAT.capacity }, 'hello: version'],
      [{ type: 'hello', version: 'v'.repeat(41), hostname: 'desk', platform: 'linux', capacity: HEARTBEAT.capacity }, 'hello: version'],
      [{ type: 'exec', command: 'rm -rf /' }, 'unknown message type'],
      ['{"type":', 'not JSON'],
      [[1, 2], 'not an object'],
      [{ type: 'hello', __proto__: { polluted: true } }, 'hello: version'],
    ];
    const before = await snapshot(cloud);
    for (const [message, reason] of bad) {
      const client = await line(cloud.url, owner.token);
      client.send(message);
      expect(await client.closed).toEqual({ code: 4400, reason: expect.stringContaining(reason) });
    }
    const binary = await line(cloud.url, owner.token);
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect((await binary.closed).code).toBe(4400);
    // Past the 64 KiB bound: ws refuses the frame (1009) before anything reads it.
    const big = await line(cloud.url, owner.token);
    big.send({ type: 'hello', version: '1', hostname: 'x'.repeat(70_000), platform: 'l', capacity: HEARTBEAT.capacity });
    expect((await big.closed).code).toBe(1009);
    expect(await snapshot(cloud)).toBe(before);
    expect((await cloud.post('/device/list', {}, owner.token)).data.list).toEqual([]);
  });

  it('a hello puts the device online with what it told; a silent line is dropped and the device goes offline', async () => {
    const client = await line(cloud.url, owner.token);
    expect(await client.hello({ hostname: 'desk-1', version: '0.1.0' })).toEqual({
      type: 'welcome',
      deviceId: owner.deviceId,
      heartbeatMs: 1000,
    });
    const listed = await cloud.post('/device/list', {}, owner.token);
    expect(listed).toMatchObject({
      code: 0,
      data: {
        total: 1,
        offlineAfterSeconds: 3,
        list: [
          {
            deviceId: owner.deviceId,
            userId: owner.userId,
            email: owner.email,
            hostname: 'desk-1',
            version: '0.1.0',
            platform: 'linux-x64',
            online: true,
          },
        ],
      },
    });
    client.send(HEARTBEAT);
    expect(await client.next('ack')).toEqual({ type: 'ack' });
    // Then nothing: past the offline window the cloud drops the line.
    expect((await client.closed).code).toBe(1006);
    await waitFor(async () => !(await cloud.post('/device/list', {}, owner.token)).data.list[0].online);
    // The list reads offline once the window passes; the line's drop writes its row about then.
    const kinds = async () => (await cloud.post('/audit/list', {}, owner.token)).data.list.map((e: { kind: string }) => e.kind);
    await waitFor(async () => (await kinds()).includes('device.offline'));
    expect(await kinds()).toEqual(expect.arrayContaining(['device.online', 'device.offline']));
  });

  it('a newer line of the same device takes over; a revoked session loses its line; lines per user are bounded', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:open'] });
    const first = await line(cloud.url, member.token);
    await first.hello();
    const second = await line(cloud.url, member.token);
    await second.hello();
    expect((await first.closed).code).toBe(4409);
    const third = await line(cloud.url, member.token);
    const fourth = await line(cloud.url, member.token);
    expect(await openLine(cloud.url, member.token)).toMatchObject({ refused: true, status: 429, body: { code: 429 } });
    third.close();
    fourth.close();
    await Promise.all([third.closed, fourth.closed]);
    // Signed out: the line ends at once (the cluster's word), not at the next heartbeat.
    expect((await cloud.post('/auth/logout', {}, member.token)).code).toBe(0);
    expect((await second.closed).code).toBe(4401);
    await waitFor(
      async () => !(await cloud.post('/device/list', {}, owner.token)).data.list.find((d: any) => d.deviceId === member.deviceId).online,
    );
  });
});

describe('device line: commands from the cloud', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let member: Account;
  let limited: Account;
  let window: { id: number; uuid: string };
  let hidden: { id: number; uuid: string };
  const lines: LineClient[] = [];

  async function online(account: Account): Promise<LineClient> {
    const client = await line(cloud.url, account.token);
    lines.push(client);
    await client.hello();
    return client;
  }

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { ...ENV, DEVICE_OFFLINE_SECONDS: '30', DEVICE_COMMANDS_QUEUED_MAX: '3' } });
    owner = await registerOwner(cloud);
    member = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    const group = await createGroup(cloud, owner);
    limited = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'], scope: 'groups', groupIds: [group] });
    window = await createWindow(cloud, owner);
    hidden = await createWindow(cloud, owner);
  });
  afterEach(() => lines.splice(0).forEach((l) => l.close()));
  afterAll(() => cloud.close());

  it("sends the open to the device's line and answers with what may leave the device", async () => {
    const device = await online(member);
    const asked = cloud.post('/browser/open', { device: member.deviceId, id: window.id }, member.token);
    const command = await device.next('command');
    expect(command).toEqual({
      type: 'command',
      commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'open',
      window: { id: window.id, uuid: window.uuid },
      expiresInMs: expect.any(Number),
    });
    expect(command.expiresInMs).toBeGreaterThan(100_000);
    // An agent that says more than it should: the token in wsEndpoint, paths and ports stay on the device.
    device.send({
      type: 'answer',
      commandId: command.commandId,
      code: 0,
      msg: 'success',
      data: {
        id: window.id,
        uuid: window.uuid,
        alreadyStarted: false,
        wsEndpoint: 'ws://127.0.0.1:1/session/SECRET',
        profileDir: '/home/x',
        port: 1,
      },
    });
    expect(await asked).toEqual({
      code: 0,
      msg: 'success',
      data: { id: window.id, uuid: window.uuid, alreadyStarted: false, device: member.deviceId, commandId: command.commandId },
    });
    // The agent's refusal comes back with its code and message.
    const closing = cloud.post('/browser/close', { device: member.deviceId, uuid: window.uuid }, member.token);
    const close = await device.next('command');
    expect(close.kind).toBe('close');
    device.send({
      type: 'answer',
      commandId: close.commandId,
      code: 404,
      msg: 'Window is not open on this device',
      data: { path: '/secret' },
    });
    expect(await closing).toEqual({
      code: 404,
      msg: 'Window is not open on this device',
      data: { device: member.deviceId, commandId: close.commandId },
    });
    const audit = await cloud.post('/audit/list', { windowId: window.id }, owner.token);
    expect(audit.data.list.map((e: { kind: string; deviceId: string }) => [e.kind, e.deviceId])).toEqual(
      expect.arrayContaining([
        ['window.remote_open', member.deviceId],
        ['window.remote_close', member.deviceId],
      ]),
    );
  });

  it('an answer from another device, for a command never sent, or twice changes nothing', async () => {
    const device = await online(member);
    const intruder = await online(owner);
    const asked = cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, member.token);
    const command = await device.next('command');
    intruder.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { id: 999 } });
    intruder.send({ type: 'answer', commandId: '00000000-0000-4000-8000-000000000000', code: 0, msg: 'x', data: {} });
    intruder.send(HEARTBEAT);
    await intruder.next('ack');
    device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { id: window.id } });
    device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { id: 12345 } });
    expect((await asked).data).toEqual({ id: window.id, device: member.deviceId, commandId: command.commandId });
  });

  it("a member commands only their own devices and windows in scope; team:manage any of the team's", async () => {
    await online(member);
    const before = await snapshot(cloud);
    // Another member's device is not found to a member, whatever the window.
    expect(await cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, limited.token)).toMatchObject({
      code: 404,
      msg: `Device ${member.deviceId} not found`,
    });
    expect(await cloud.post('/device/list', { userId: member.userId }, limited.token)).toMatchObject({ code: 404 });
    expect((await cloud.post('/device/list', {}, limited.token)).data.list).toEqual([]);
    // Their own device, a window outside their groups: not found, and nothing queued.
    await online(limited);
    expect(await cloud.post('/browser/open', { device: limited.deviceId, uuid: hidden.uuid }, limited.token)).toMatchObject({
      code: 404,
      msg: `Window ${hidden.uuid} not found`,
    });
    expect(await snapshot(cloud)).not.toBe(before); // the limited member's device row is new …
    const commands = await cloud.db.query(`SELECT count(*)::int AS n FROM device_commands`);
    const afterRefusals = commands[0].n;
    expect(await cloud.post('/browser/open', { device: limited.deviceId, uuid: hidden.uuid }, limited.token)).toMatchObject({ code: 404 });
    expect((await cloud.db.query(`SELECT count(*)::int AS n FROM device_commands`))[0].n).toBe(afterRefusals);
    // The owner (team:manage) sees every device and may command a member's.
    expect((await cloud.post('/device/list', {}, owner.token)).data.list.map((d: any) => d.deviceId)).toEqual(
      expect.arrayContaining([member.deviceId, limited.deviceId]),
    );
    const device = lines[0];
    const asked = cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, owner.token);
    const command = await device.next('command');
    device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { uuid: window.uuid } });
    expect((await asked).code).toBe(0);
  });

  it('an offline device: refused at once by default, waited for with ifOffline wait, expired when it never comes', async () => {
    const quiet = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    const first = await online(quiet);
    first.close();
    await first.closed;
    await waitFor(async () => !(await cloud.post('/device/list', {}, quiet.token)).data.list[0].online);
    const refusedAt = Date.now();
    expect(await cloud.post('/browser/open', { device: quiet.deviceId, uuid: window.uuid }, quiet.token)).toMatchObject({
      code: 503,
      msg: expect.stringContaining(`Device ${quiet.deviceId} is offline`),
      data: { device: quiet.deviceId },
    });
    expect(Date.now() - refusedAt).toBeLessThan(5_000);
    // Waited for: the device comes back within waitMs and gets the command on its hello.
    const asked = cloud.post(
      '/browser/open',
      { device: quiet.deviceId, uuid: window.uuid, ifOffline: 'wait', waitMs: 20_000 },
      quiet.token,
    );
    await waitFor(
      async () =>
        (await cloud.db.query(`SELECT 1 FROM device_commands WHERE device_id = $1 AND status = 'queued'`, [quiet.deviceId])).length > 0,
    );
    const back = await online(quiet);
    const command = await back.next('command');
    back.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { uuid: window.uuid } });
    expect((await asked).code).toBe(0);
    back.close();
    await back.closed;
    await waitFor(async () => !(await cloud.post('/device/list', {}, quiet.token)).data.list[0].online);
    // Never came: expired, so a device connecting later does not run what nobody waits for.
    expect(
      await cloud.post('/browser/open', { device: quiet.deviceId, uuid: window.uuid, ifOffline: 'wait', waitMs: 1_500 }, quiet.token),
    ).toMatchObject({
      code: 503,
      msg: expect.stringContaining('did not take the command within 1500 ms; nothing was done'),
    });
    const late = await online(quiet);
    late.send(HEARTBEAT);
    await late.next('ack');
    await expect(late.next('command', 1_500)).rejects.toThrow('no command');
  });

  it("a device's 401 or 500 is not this cloud's: passed on as 503 with the device's code", async () => {
    const device = await online(member);
    for (const code of [401, 500, 7]) {
      const asked = cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, member.token);
      const command = await device.next('command');
      device.send({ type: 'answer', commandId: command.commandId, code, msg: 'Token invalid', data: {} });
      expect(await asked).toEqual({
        code: 503,
        msg: `Device ${member.deviceId} could not do it (its code ${code}): Token invalid`,
        data: { device: member.deviceId, commandId: command.commandId, deviceCode: code },
      });
    }
  });

  it('an answer with a NUL character closes the line by name (not as a failed write)', async () => {
    const device = await online(member);
    const asked = cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, member.token);
    const command = await device.next('command');
    device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'a\u0000b', data: {} });
    expect(await device.closed).toEqual({ code: 4400, reason: 'answer: NUL characters or unpaired surrogates' });
    expect((await asked).code).toBe(503);
  });

  it('a line that ends while its hello is written leaves the device offline, and its commands for the next line', async () => {
    const quick = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    for (let i = 0; i < 10; i++) {
      const client = await line(cloud.url, quick.token);
      client.send({ type: 'hello', version: '1', hostname: 'quick', platform: 'linux', capacity: HEARTBEAT.capacity });
      setTimeout(() => client.ws.terminate(), i);
      await client.closed;
    }
    // Not the sweep (the offline window here is 30 s): the ends themselves let go of the device.
    await waitFor(async () => !(await cloud.post('/device/list', {}, quick.token)).data.list[0].online, 5_000);
    const asked = cloud.post(
      '/browser/open',
      { device: quick.deviceId, uuid: window.uuid, ifOffline: 'wait', waitMs: 20_000 },
      quick.token,
    );
    const back = await online(quick);
    const command = await back.next('command');
    back.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: {} });
    expect((await asked).code).toBe(0);
  });

  it('a line that floods the cloud is read no faster than it is handled, and keeps working', async () => {
    const device = await online(member);
    const junk = {
      type: 'answer',
      commandId: '00000000-0000-4000-8000-000000000000',
      code: 0,
      msg: 'x',
      data: { pad: 'p'.repeat(60_000) },
    };
    for (let i = 0; i < 2_000; i++) device.send(i % 2 ? HEARTBEAT : junk);
    const asked = cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, member.token);
    const command = await device.next('command', 60_000);
    device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: {} });
    expect((await asked).code).toBe(0);
  });

  it('a line that sends but never reads is let go before what waits for it grows', async () => {
    const offlines = async () => (await cloud.post('/audit/list', { kind: 'device.offline' }, owner.token)).data.list;
    const before = new Set((await offlines()).map((e: { id: string }) => e.id));
    const device = await online(member);
    // The client stops reading: the cloud's acknowledgements pile up in the kernel's buffers, then in the cloud's.
    (device.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = device.closed;
    let ended = false;
    void closed.then(() => (ended = true));
    // It keeps talking the whole time (so it is never silent), no faster than the cloud takes it in.
    const deadline = Date.now() + 170_000;
    while (!ended && device.ws.readyState === device.ws.OPEN && Date.now() < deadline) {
      if (device.ws.bufferedAmount < 1_000_000) for (let i = 0; i < 1_000; i++) device.send(HEARTBEAT);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    (device.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await closed).code).toBe(1006);
    // Let go for not reading, not for silence: the cloud says why the device went offline.
    const fresh = async () =>
      (await offlines()).filter((e: { id: string; deviceId: string }) => !before.has(e.id) && e.deviceId === member.deviceId);
    // (An earlier test's line, closed as it ended, may be recorded here too.)
    await waitFor(async () => (await fresh()).some((e: { data: { reason: string } }) => e.data.reason === 'not reading'));
    expect((await fresh()).map((e: { data: { reason: string } }) => e.data.reason)).not.toContain('nothing heard');
  }, 200_000);

  it('commands waiting for one device are bounded', async () => {
    const busy = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    const first = await online(busy);
    first.close();
    await first.closed;
    await waitFor(async () => !(await cloud.post('/device/list', {}, busy.token)).data.list[0].online);
    const waiting = [1, 2, 3].map(() =>
      cloud.post('/browser/open', { device: busy.deviceId, uuid: window.uuid, ifOffline: 'wait', waitMs: 3_000 }, busy.token),
    );
    await waitFor(
      async () =>
        (await cloud.db.query(`SELECT 1 FROM device_commands WHERE device_id = $1 AND status = 'queued'`, [busy.deviceId])).length === 3,
    );
    expect(
      await cloud.post('/browser/open', { device: busy.deviceId, uuid: window.uuid, ifOffline: 'wait', waitMs: 3_000 }, busy.token),
    ).toMatchObject({
      code: 429,
      msg: `Device ${busy.deviceId} has 3 commands waiting already; try again once it takes them`,
    });
    for (const answer of await Promise.all(waiting)) expect(answer.code).toBe(503);
  });

  it('a line lost before its answer: the caller is told the device may have done it', async () => {
    const device = await online(member);
    const asked = cloud.post('/browser/open', { device: member.deviceId, uuid: window.uuid }, member.token);
    await device.next('command');
    device.ws.terminate();
    expect(await asked).toMatchObject({ code: 503, msg: expect.stringContaining('went offline before it answered; it may have done it') });
  });
});

describe('device line as long-polls', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let window: { id: number; uuid: string };
  const line = '11111111-2222-4333-8444-555555555555';
  const hello = { version: '1.0.0', hostname: 'desk', platform: 'linux-x64', capacity: HEARTBEAT.capacity };

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: ENV });
    owner = await registerOwner(cloud);
    window = await createWindow(cloud, owner);
  });
  afterAll(() => cloud.close());

  it('a poll is the hello and the heartbeat, hands out queued commands once, and takes answers from its own line only', async () => {
    expect(await cloud.post('/device/line/poll', { line, hello, waitMs: 0 }, owner.token)).toEqual({
      code: 0,
      msg: 'success',
      data: { deviceId: owner.deviceId, heartbeatMs: 1000, commands: [] },
    });
    expect((await cloud.post('/device/list', {}, owner.token)).data.list[0]).toMatchObject({ deviceId: owner.deviceId, online: true });
    // A waiting poll wakes when a command is queued for its device.
    const polled = cloud.post('/device/line/poll', { line, hello, waitMs: 2_000 }, owner.token);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const asked = cloud.post('/browser/open', { device: owner.deviceId, uuid: window.uuid }, owner.token);
    const { commands } = (await polled).data;
    expect(commands).toEqual([
      {
        type: 'command',
        commandId: expect.any(String),
        kind: 'open',
        window: { id: window.id, uuid: window.uuid },
        expiresInMs: expect.any(Number),
      },
    ]);
    const { commandId } = commands[0];
    // Handed out once: the next poll has nothing.
    expect((await cloud.post('/device/line/poll', { line, hello, waitMs: 0 }, owner.token)).data.commands).toEqual([]);
    const other = '99999999-2222-4333-8444-555555555555';
    expect(
      await cloud.post('/device/line/answer', { line: other, answer: { commandId, code: 0, msg: 'x', data: {} } }, owner.token),
    ).toEqual({
      code: 0,
      msg: 'success',
      data: { recorded: false },
    });
    const answer = { commandId, code: 0, msg: 'success', data: { uuid: window.uuid, wsEndpoint: 'ws://127.0.0.1:1/session/SECRET' } };
    expect((await cloud.post('/device/line/answer', { line, answer }, owner.token)).data).toEqual({ recorded: true });
    expect((await cloud.post('/device/line/answer', { line, answer }, owner.token)).data).toEqual({ recorded: false });
    expect(await asked).toEqual({ code: 0, msg: 'success', data: { uuid: window.uuid, device: owner.deviceId, commandId } });
  });

  it('a poll whose client went away hands out nothing: the command waits for the next poll', async () => {
    const gone = new AbortController();
    const abandoned = fetch(`${cloud.url}/device/line/poll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ line, hello, waitMs: 10_000 }),
      signal: gone.signal,
    }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 300));
    gone.abort();
    expect(await abandoned).toBe('aborted');
    const asked = cloud.post('/browser/close', { device: owner.deviceId, uuid: window.uuid }, owner.token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { commands } = (await cloud.post('/device/line/poll', { line, hello, waitMs: 2_000 }, owner.token)).data;
    expect(commands.map((c: { kind: string }) => c.kind)).toEqual(['close']);
    await cloud.post(
      '/device/line/answer',
      { line, answer: { commandId: commands[0].commandId, code: 0, msg: 'success', data: {} } },
      owner.token,
    );
    expect((await asked).code).toBe(0);
  });

  it('a poller that stops is offline within the offline window, with its device.offline event', async () => {
    await cloud.post('/device/line/poll', { line, hello, waitMs: 0 }, owner.token);
    const stoppedAt = Date.now();
    await waitFor(async () => !(await cloud.post('/device/list', {}, owner.token)).data.list[0].online);
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    await waitFor(async () => {
      const audit = (await cloud.post('/audit/list', { kind: 'device.offline' }, owner.token)).data.list;
      return audit.some((e: { deviceId: string }) => e.deviceId === owner.deviceId);
    });
  });
});

describe('device line: two cloud instances on one database', () => {
  let a: CloudHarness;
  let b: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    a = await startCloud({ listen: true, env: ENV });
    b = await startCloud({ listen: true, env: ENV, databaseUrl: a.config.env.DATABASE_URL, dataDir: a.dataDir });
    owner = await registerOwner(a);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('a command asked of one instance reaches the line held by the other, and its answer comes back', async () => {
    const window = await createWindow(a, owner);
    const device = await line(a.url, owner.token);
    await device.hello();
    expect((await b.post('/device/list', {}, owner.token)).data.list[0]).toMatchObject({ deviceId: owner.deviceId, online: true });
    const asked = b.post('/browser/open', { device: owner.deviceId, uuid: window.uuid }, owner.token);
    const command = await device.next('command');
    device.send({
      type: 'answer',
      commandId: command.commandId,
      code: 0,
      msg: 'success',
      data: { uuid: window.uuid, alreadyStarted: true },
    });
    expect(await asked).toEqual({
      code: 0,
      msg: 'success',
      data: { uuid: window.uuid, alreadyStarted: true, device: owner.deviceId, commandId: command.commandId },
    });
    // The same device's newer line on the other instance takes over; the older one is closed when it next speaks.
    const moved = await line(b.url, owner.token);
    await moved.hello();
    device.send(HEARTBEAT);
    expect((await device.closed).code).toBe(4409);
    const again = a.post('/browser/close', { device: owner.deviceId, uuid: window.uuid }, owner.token);
    const close = await moved.next('command');
    moved.send({ type: 'answer', commandId: close.commandId, code: 0, msg: 'success', data: { uuid: window.uuid } });
    expect((await again).code).toBe(0);
    moved.close();
  });
});
