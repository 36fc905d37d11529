import type { Response } from 'express';

/** How long an ended or cut stream's client gets to read what is left before the connection is dropped. */
const END_GRACE_MS = 5_000;

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
function startEventStream(res: Response): void {
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
 * had a few seconds to read it.
 */
function cutEventStream(res: Response, lastEventId: number): void {
  const data = {
    code: 429,
    msg: `Events were not read fast enough; reconnect with Last-Event-ID: ${lastEventId}`,
    lastEventId,
  };
  endWithin(res, `event: stream.cut\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * Ends the answer (after `last`), and drops the connection if the client has not taken it all
 * within END_GRACE_MS: a client that reads nothing would otherwise keep the answer, and its place
 * among the caller's streams, for good.
 */
function endWithin(res: Response, last?: string): void {
  if (last === undefined) res.end();
  else res.end(last);
  const drop = setTimeout(() => res.destroy(), END_GRACE_MS);
  drop.unref();
  res.once('close', () => clearTimeout(drop));
}

/**
 * One client's `GET /events`, written straight to the socket as fast as the client reads. What
 * the socket does not take waits in the subclass's queue (`flush` writes it, `drop` lets it go),
 * counted by `owe`: past `bufferBytes` waiting while the socket is full, the client is not keeping
 * up, and the stream is cut with a last event telling it where to resume.
 */
export abstract class BoundedEventStream {
  /** Waiting for the socket to drain. */
  protected blocked = false;
  protected ended = false;
  /** Bytes queued and not written yet: what a client that reads nothing owes. */
  protected owedBytes = 0;
  /** The newest event handed to the socket: where the client resumes. */
  protected lastWrittenId: number;

  constructor(
    protected readonly res: Response,
    after: number,
    private readonly bufferBytes: number,
  ) {
    this.lastWrittenId = after;
    startEventStream(res);
    res.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Calls `done` once the client is gone, however the stream ended. */
  onGone(done: () => void): void {
    this.res.once('close', () => {
      this.ended = true;
      this.release();
      done();
    });
  }

  /** A comment clients ignore: proxies keep the connection. A client that does not read is not written to. */
  heartbeat(): void {
    if (!this.ended && !this.blocked) this.res.write(': \n\n');
  }

  /** Ends the stream cleanly (the caller no longer stands, shutdown): the client learns nothing new here. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    endWithin(this.res);
  }

  /** Writes what is queued, until the socket wants no more (`write`) or nothing is left. */
  protected abstract flush(): void;

  /** Lets go of everything queued. */
  protected abstract drop(): void;

  /** Counts `bytes` newly queued, then writes; a client already behind by more than the buffer is cut instead. */
  protected owe(bytes: number): void {
    this.owedBytes += bytes;
    if (this.blocked && this.owedBytes > this.bufferBytes) return this.cut();
    this.flush();
  }

  protected write(chunk: string): void {
    this.blocked = !this.res.write(chunk);
  }

  /** The client reads too slowly: it is told where to resume, and let go. */
  protected cut(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    cutEventStream(this.res, this.lastWrittenId);
  }

  private release(): void {
    this.drop();
    this.owedBytes = 0;
  }
}
