import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FileSessionStore } from '../../apps/local-agent/src/identity/agent-files';
import { AgentHarness, startAgent } from '../support/agent-app';

jest.setTimeout(120_000);

/**
 * The cloud → agent boundary: a cloud (or whoever answers at its address) sending the agent's line
 * what it must not take. The agent reads by allowlist: anything else ends the line and does nothing.
 */
describe("the agent's device line against a hostile cloud", () => {
  let server: Server;
  let lines: WebSocketServer;
  let agent: AgentHarness;
  const connected: WebSocket[] = [];
  const waiting: ((ws: WebSocket) => void)[] = [];
  const commandsSeen: string[] = [];

  beforeAll(async () => {
    // Every plain call is refused with an envelope: the agent's own cloud calls fail cleanly.
    server = createServer((req, res) => {
      commandsSeen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 404, msg: 'Window not found', data: {} }));
    });
    lines = new WebSocketServer({ server, path: '/device/line' });
    lines.on('connection', (ws) => {
      ws.once('message', () => {
        ws.send(JSON.stringify({ type: 'welcome', deviceId: 'dev-hostile', heartbeatMs: 60_000 }));
        const next = waiting.shift();
        if (next) next(ws);
        else connected.push(ws);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const cloudUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = await startAgent({ cloudUrl, env: { AGENT_LINE_RETRY_MS: '100' } });
    new FileSessionStore(agent.config).save({ kind: 'api-token', accessToken: 'cos_pat_fake', deviceId: 'dev-hostile' });
  });
  afterAll(async () => {
    await agent?.close();
    lines?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** The agent's next line, once it said hello. */
  const nextLine = () => new Promise<WebSocket>((resolve) => (connected.length ? resolve(connected.shift()!) : waiting.push(resolve)));
  const closeOf = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const answerOf = (ws: WebSocket) =>
    new Promise<any>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse((data as Buffer).toString('utf8'));
        if (message.type === 'answer') resolve(message);
      }),
    );

  it('ends the line on a command it does not know, a window named by anything but id or uuid, or a frame past 64 KiB', async () => {
    const hostile: [unknown, number][] = [
      [{ type: 'command', commandId: '11111111-2222-4333-8444-555555555555', kind: 'exec', window: { id: 1 }, expiresInMs: 5000 }, 4400],
      [
        { type: 'command', commandId: '11111111-2222-4333-8444-555555555555', kind: 'open', window: { path: '/etc' }, expiresInMs: 5000 },
        4400,
      ],
      [{ type: 'command', commandId: 'x', kind: 'open', window: { id: 1 }, expiresInMs: 5000 }, 4400],
      [
        {
          type: 'command',
          commandId: '11111111-2222-4333-8444-555555555555',
          kind: 'open',
          window: { id: 1 },
          expiresInMs: 5000,
          script: 'x',
        },
        4400,
      ],
      [{ type: 'welcome', deviceId: 'dev-x', heartbeatMs: 1, extra: true }, 4400],
      [{ type: 'command', padding: 'x'.repeat(70_000) }, 1009],
    ];
    for (const [message, code] of hostile) {
      const ws = await nextLine();
      const closed = closeOf(ws);
      ws.send(JSON.stringify(message));
      expect(await closed).toBe(code);
    }
    // None of it reached a window: nothing runs, and the agent still answers.
    expect((await agent.post('/browser/pids')).data.list).toEqual([]);
    expect((await fetch(`${agent.url}/health`).then((r) => r.json())).data.status).toBe('ok');
  });

  it('answers a command past its expiry without doing it, and a refused open with the refusal', async () => {
    const ws = await nextLine();
    const expired = answerOf(ws);
    ws.send(
      JSON.stringify({
        type: 'command',
        commandId: '21111111-2222-4333-8444-555555555555',
        kind: 'open',
        window: { id: 7 },
        expiresInMs: 0,
      }),
    );
    expect(await expired).toEqual({
      type: 'answer',
      commandId: '21111111-2222-4333-8444-555555555555',
      code: 503,
      msg: 'The command came after its caller stopped waiting; nothing was done',
      data: {},
    });
    const before = commandsSeen.length;
    const refused = new Promise<any>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse((data as Buffer).toString('utf8'));
        if (message.type === 'answer' && message.commandId === '31111111-2222-4333-8444-555555555555') resolve(message);
      }),
    );
    ws.send(
      JSON.stringify({
        type: 'command',
        commandId: '31111111-2222-4333-8444-555555555555',
        kind: 'open',
        window: { id: 7 },
        expiresInMs: 5000,
      }),
    );
    expect(await refused).toMatchObject({ code: 404, msg: 'Window not found', data: {} });
    // The open asked the cloud about the window as any open does; the expired one asked nothing.
    expect(commandsSeen.slice(before)).toEqual(expect.arrayContaining(['POST /browser/detail']));
    expect((await agent.post('/browser/pids')).data.list).toEqual([]);
  });
});
