import { WebSocket } from 'ws';

export interface LineClient {
  ws: WebSocket;
  send(message: unknown): void;
  hello(overrides?: Record<string, unknown>): Promise<any>;
  /** The next message from the cloud (of `type`, others skipped), within `withinMs`. */
  next(type?: string, withinMs?: number): Promise<any>;
  /** Resolves with the close code once the line is closed. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export type LineRefusal = { refused: true; status: number; body: any };

const CAPACITY = { windowsRunning: 0, freeMemoryBytes: 1_000_000, totalMemoryBytes: 2_000_000 };

/** A device line as a raw WebSocket: what a hostile or a well-behaved agent would send, by hand. */
export function openLine(cloudUrl: string, token: string | null, headers: Record<string, string> = {}): Promise<LineClient | LineRefusal> {
  const url = cloudUrl.replace(/^http/, 'ws') + '/device/line';
  const ws = new WebSocket(url, { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });
  const inbox: any[] = [];
  const waiting: (() => void)[] = [];
  ws.on('message', (data) => {
    inbox.push(JSON.parse((data as Buffer).toString('utf8')));
    waiting.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      waiting.splice(0).forEach((wake) => wake());
    }),
  );
  const client: LineClient = {
    ws,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async hello(overrides = {}) {
      client.send({ type: 'hello', version: '1.0.0', hostname: 'desk', platform: 'linux-x64', capacity: CAPACITY, ...overrides });
      return client.next('welcome');
    },
    async next(type, withinMs = 15_000) {
      const until = Date.now() + withinMs;
      for (;;) {
        const index = inbox.findIndex((m) => type === undefined || m.type === type);
        if (index >= 0) return inbox.splice(index, 1)[0];
        if (ws.readyState === WebSocket.CLOSED) throw new Error(`line closed while waiting for ${type ?? 'a message'}`);
        const left = until - Date.now();
        if (left <= 0) throw new Error(`no ${type ?? 'message'} within ${withinMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    closed,
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ refused: true, status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    ws.once('error', (error) => reject(error));
  });
}

export async function line(cloudUrl: string, token: string): Promise<LineClient> {
  const opened = await openLine(cloudUrl, token);
  if ('refused' in opened) throw new Error(`line refused: ${opened.status} ${JSON.stringify(opened.body)}`);
  return opened;
}

export const HEARTBEAT = { type: 'heartbeat', capacity: CAPACITY };

/** Answers every command the line is sent with success (a device that does each run at once), for as long as the line is open. */
export function answerEvery(client: LineClient): void {
  client.ws.on('message', (data) => {
    const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string; commandId?: string };
    if (message.type === 'command')
      client.send({ type: 'answer', commandId: message.commandId, code: 0, msg: 'success', data: { results: [] } });
  });
}
