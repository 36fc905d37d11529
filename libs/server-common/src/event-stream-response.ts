import type { Response } from 'express';

/** How long a cut stream's client gets to read its last event before the connection is dropped. */
const CUT_GRACE_MS = 5_000;

/**
 * Answers a HEAD of an event stream: its headers say what a GET would get, it has no body, takes no
 * place among the streams, and the connection is free again. False for any other method.
 */
export function answeredEventStreamHead(res: Response): boolean {
  if (res.req.method !== 'HEAD') return false;
  res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end();
  return true;
}

/**
 * Starts a Server-Sent Events answer written straight to the socket: nothing on the way may
 * buffer it (proxies, compression), and an idle connection is not timed out.
 */
export function startEventStream(res: Response): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  res.socket?.setKeepAlive(true);
  res.socket?.setTimeout(0);
  res.write('\n');
}

/**
 * Ends the stream of a client that reads too slowly: a last `stream.cut` event {code: 429, msg,
 * lastEventId} tells it where to resume (`Last-Event-ID`), and the connection is dropped once it
 * had a few seconds to read it. The caller has let go of whatever was queued for the client.
 */
export function cutEventStream(res: Response, lastEventId: number): void {
  const data = {
    code: 429,
    msg: `Events were not read fast enough; reconnect with Last-Event-ID: ${lastEventId}`,
    lastEventId,
  };
  res.end(`event: stream.cut\ndata: ${JSON.stringify(data)}\n\n`);
  const drop = setTimeout(() => res.destroy(), CUT_GRACE_MS);
  drop.unref();
  res.once('close', () => clearTimeout(drop));
}
