import { AddressInfo, createServer, Socket } from 'node:net';

export interface CaptureServer {
  port: number;
  /** Every byte each connection sent, as text. */
  received(): string;
  connections: number;
  close(): Promise<void>;
}

/** A listener an attacker would run: it records what connects and what is sent, and answers 407 to ask for credentials. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('data', (data) => {
      chunks.push(data);
      socket.write('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => Buffer.concat(chunks).toString('latin1'),
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
