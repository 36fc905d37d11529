import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface HttpProxy {
  port: number;
  /** Absolute URLs the proxy forwarded, in order. */
  forwarded: string[];
  close(): Promise<void>;
}

/** A plain HTTP forward proxy (GET with absolute URLs), standing in for a customer's proxy. */
export async function startHttpProxy(): Promise<HttpProxy> {
  const forwarded: string[] = [];
  const server: Server = createServer((req, res) => {
    forwarded.push(req.url ?? '');
    const upstream = request(req.url ?? '', { method: req.method, headers: { ...req.headers, via: '1.1 test-proxy' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    forwarded,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
