import WebSocket from 'ws';

export interface BidiClient {
  events: { method: string; params: any }[];
  send(method: string, params?: Record<string, unknown>): Promise<any>;
  /** Sends a frame as it is (anything, not only a command) and waits for the next answer naming `id` (null: an answer with no id). */
  raw(frame: string, id: number | null): Promise<any>;
  /** Resolves with the first event of `method` that passes `match`, within `timeoutMs`. */
  event(method: string, match?: (params: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Asks `session.status` every `intervalMs` until it is answered: Firefox drops what arrives before its connection listens. */
  ready(intervalMs?: number): Promise<void>;
  closed: Promise<void>;
  close(): void;
}

/**
 * A bare WebDriver BiDi client: answers matched by id, events kept. Every wait is bounded: a
 * connection that closes fails what waits on it, and nothing waits past `timeoutMs`. A refused
 * handshake rejects with `HTTP <status>`, a connection that fails with its error.
 */
export async function bidiClient(url: string, timeoutMs = 60_000): Promise<BidiClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 0 });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode}`));
      socket.terminate();
    });
  });
  let nextId = 1;
  const waiting = new Map<number | null, { resolve: (answer: any) => void; reject: (error: Error) => void }>();
  const events: { method: string; params: any }[] = [];
  const watchers = new Set<() => void>();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    for (const { reject } of waiting.values()) reject(new Error('connection closed'));
    waiting.clear();
  });
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString());
    if (message.type === 'event') {
      events.push({ method: message.method, params: message.params });
      for (const watch of watchers) watch();
    } else if (waiting.has(message.id)) {
      const { resolve } = waiting.get(message.id)!;
      waiting.delete(message.id);
      resolve(message);
    }
  });
  const wait = (id: number | null): Promise<any> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${id} within ${timeoutMs} ms`)), timeoutMs);
      waiting.set(id, {
        resolve: (answer) => (clearTimeout(timer), resolve(answer)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  return {
    events,
    closed,
    async send(method, params = {}) {
      const id = nextId++;
      const answered = wait(id);
      socket.send(JSON.stringify({ id, method, params }));
      const answer = await answered;
      if (answer.type !== 'success') throw Object.assign(new Error(answer.message), { error: answer.error });
      return answer.result;
    },
    raw(frame, id) {
      const answered = wait(id);
      socket.send(frame);
      return answered;
    },
    event(method, match = () => true, waitMs = timeoutMs) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = events.find((e) => e.method === method && match(e.params));
          if (!found) return;
          watchers.delete(look);
          clearTimeout(timer);
          resolve(found.params);
        };
        const timer = setTimeout(() => (watchers.delete(look), reject(new Error(`no ${method} within ${waitMs} ms`))), waitMs);
        watchers.add(look);
        look();
      });
    },
    async ready(intervalMs = 100) {
      const id = nextId++;
      const answered = wait(id);
      const frame = JSON.stringify({ id, method: 'session.status', params: {} });
      socket.send(frame);
      const again = setInterval(() => socket.send(frame), intervalMs);
      try {
        await answered;
      } finally {
        clearInterval(again);
      }
    },
    close: () => socket.close(),
  };
}

/** A client with a WebDriver BiDi session of its own (`session.new`). */
export async function bidiSession(url: string, timeoutMs?: number): Promise<BidiClient> {
  const client = await bidiClient(url, timeoutMs);
  try {
    await client.send('session.new', { capabilities: {} });
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
