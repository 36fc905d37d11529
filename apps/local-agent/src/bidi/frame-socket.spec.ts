import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { acceptFrameSocket, connectFrameSocket, FrameSocket, Oversized } from './frame-socket';

const LIMIT = 64 * 1024;

/** A FrameSocket server; `ws` (a well-tried implementation) is the client. */
async function serve(): Promise<{ server: Server; url: string; accepted: Promise<FrameSocket> }> {
  let accept!: (socket: FrameSocket) => void;
  const accepted = new Promise<FrameSocket>((resolve) => (accept = resolve));
  const server = createServer();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    accept(acceptFrameSocket(request, socket, head, { maxMessageBytes: LIMIT })!),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, accepted };
}

function collect(socket: FrameSocket) {
  const messages: string[] = [];
  const oversized: Oversized[] = [];
  socket.onMessage = (text) => messages.push(text);
  socket.onOversized = (message) => oversized.push(message);
  return { messages, oversized };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('FrameSocket', () => {
  it('takes whole and fragmented messages, answers pings, steps over an oversized message and keeps the connection', async () => {
    const { server, url, accepted } = await serve();
    const client = new WebSocket(url);
    await new Promise((resolve) => client.once('open', resolve));
    const socket = await accepted;
    const seen = collect(socket);
    const pongs: Buffer[] = [];
    client.on('pong', (data) => pongs.push(data));

    client.send('{"id":1}');
    client.send('{"id":', { fin: false });
    client.ping('are you there');
    client.send('2}', { fin: true });
    client.send(`{"id":3,"big":"${'x'.repeat(LIMIT * 3)}"}`);
    client.send('{"id":4}');
    await until(() => seen.messages.length === 3 && pongs.length === 1);
    expect(seen.messages).toEqual(['{"id":1}', '{"id":2}', '{"id":4}']);
    expect(seen.oversized).toHaveLength(1);
    expect(seen.oversized[0].bytes).toBe(LIMIT * 3 + 17);
    expect(seen.oversized[0].head.startsWith('{"id":3,"big":"xxx')).toBe(true);
    expect(seen.oversized[0].head.length).toBeLessThanOrEqual(4096);
    expect(pongs[0].toString()).toBe('are you there');

    const received: string[] = [];
    client.on('message', (data: Buffer) => received.push(data.toString()));
    socket.send('é'.repeat(70_000));
    await until(() => received.length === 1);
    expect(received[0]).toBe('é'.repeat(70_000));

    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    socket.close(1001, 'bye');
    expect(await closed).toBe(1001);
    server.close();
  });

  it('as a client: masks what it sends, and ends a connection that breaks the protocol', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    const peer = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const socket = await connectFrameSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { maxMessageBytes: LIMIT }, 5000);
    const server = await peer;
    const seen = collect(socket);
    const echoed = new Promise<string>((resolve) => server.once('message', (data: Buffer) => resolve(data.toString())));
    socket.send('{"hello":"firefox"}');
    expect(await echoed).toBe('{"hello":"firefox"}');
    server.send('x'.repeat(LIMIT + 1));
    server.send('after');
    await until(() => seen.messages.length === 1 && seen.oversized.length === 1);
    expect(seen.messages).toEqual(['after']);

    const closed = new Promise<void>((resolve) => (socket.onClose = resolve));
    // A masked frame from a server breaks RFC 6455: the connection ends.
    (server as unknown as { _socket: Duplex })._socket.write(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61]));
    await closed;
    expect(socket.open).toBe(false);
    wss.close();
  });
});
