import type { Response } from 'express';
import { cutEventStream, startEventStream } from '@cos/server-common';

/** An event ready to go out: serialized once, whatever number of streams it goes to. */
export interface FramedEvent {
  id: number;
  frame: string;
}

/** Events are written in pieces of about this size. */
const WRITE_CHUNK = 16 * 1024;

/**
 * One client's `GET /events`, written to the socket as fast as the client reads. What the socket
 * does not take waits here as references to frames shared by every stream; past `bufferBytes`
 * waiting, the client is not keeping up and the stream is cut, telling it where to resume.
 */
export class AgentEventStream {
  /** Frames the socket has not taken yet, the first at `cursor`. */
  private queue: FramedEvent[] = [];
  private cursor = 0;
  private owedBytes = 0;
  /** Waiting for the socket to drain. */
  private blocked = false;
  /** The newest event handed to the socket: where the client resumes. */
  private lastWrittenId: number;
  private ended = false;

  constructor(
    private readonly res: Response,
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

  /** Calls `done` once the client is gone, however the stream ended. */
  onGone(done: () => void): void {
    this.res.once('close', () => {
      this.ended = true;
      this.drop();
      done();
    });
  }

  send(events: readonly FramedEvent[]): void {
    if (this.ended || events.length === 0) return;
    for (const event of events) {
      this.queue.push(event);
      this.owedBytes += event.frame.length;
    }
    if (this.blocked && this.owedBytes > this.bufferBytes) return this.cut();
    this.flush();
  }

  /** A comment clients ignore, which finds clients that left. A client that does not read is not written to. */
  heartbeat(): void {
    if (!this.ended && !this.blocked) this.res.write(': \n\n');
  }

  /** Ends the stream cleanly (the agent stops). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.drop();
    this.res.end();
  }

  private drop(): void {
    this.queue = [];
    this.cursor = 0;
    this.owedBytes = 0;
  }

  private flush(): void {
    while (!this.ended && !this.blocked && this.cursor < this.queue.length) {
      let chunk = '';
      while (this.cursor < this.queue.length && chunk.length < WRITE_CHUNK) {
        const event = this.queue[this.cursor++];
        chunk += event.frame;
        this.owedBytes -= event.frame.length;
        this.lastWrittenId = event.id;
      }
      if (this.cursor === this.queue.length) this.drop();
      else if (this.cursor > 1024 && this.cursor * 2 > this.queue.length) {
        // Written frames are let go of as the client reads, not only once it has caught up.
        this.queue = this.queue.slice(this.cursor);
        this.cursor = 0;
      }
      this.blocked = !this.res.write(chunk);
    }
  }

  /** The client reads too slowly: it is told where to resume, and let go. */
  private cut(): void {
    this.ended = true;
    this.drop();
    cutEventStream(this.res, this.lastWrittenId);
  }
}
