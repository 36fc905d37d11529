import { BoundedEventStream } from '@cos/server-common';

/** An event ready to go out: serialized once, whatever number of streams it goes to. */
export interface FramedEvent {
  id: number;
  frame: string;
}

/** Events are written in pieces of about this size. */
const WRITE_CHUNK = 16 * 1024;

/**
 * One client's `GET /events` (see `BoundedEventStream`): what the socket does not take waits here
 * as references to frames shared by every stream.
 */
export class AgentEventStream extends BoundedEventStream {
  /** Frames the socket has not taken yet, the first at `cursor`. */
  private queue: FramedEvent[] = [];
  private cursor = 0;

  send(events: readonly FramedEvent[]): void {
    if (this.ended || events.length === 0) return;
    let bytes = 0;
    for (const event of events) {
      this.queue.push(event);
      bytes += event.frame.length;
    }
    this.owe(bytes);
  }

  protected drop(): void {
    this.queue = [];
    this.cursor = 0;
  }

  protected flush(): void {
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
      this.write(chunk);
    }
  }
}
