import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordingRelay {
  url: string;
  /** The paths of the requests relayed so far, in order. */
  paths: string[];
  close(): Promise<void>;
}

/** An HTTP relay in front of `target` that records the path of every request it passes on. */
export async function startRecordingRelay(target: string): Promise<RecordingRelay> {
  const to = new URL(target);
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const upstream = request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
