export interface SseEvent {
  id: number;
  type: string;
  /** `performance.now()` when it was read off the stream. */
  receivedAt: number;
  data: {
    id: number;
    kind: string;
    windowId: number | null;
    actorId: number | null;
    deviceId: string | null;
    /** Agent events: the window's uuid. */
    uuid?: string;
    data: Record<string, unknown>;
  };
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  /** Resolves once an event passes the test (or rejects after the timeout). */
  waitFor(test: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /**
   * Resolves once the stream has ended and every event it carried is in `events` (or rejects after
   * the timeout): after it, no event can still arrive, so an absence is proven.
   */
  waitForEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * A Server-Sent Events client over fetch: `GET /events` with a Bearer token (the cloud) or the
 * given headers (the agent's local token), and Last-Event-ID to resume.
 */
export async function openEvents(baseUrl: string, auth: string | Record<string, string>, lastEventId?: number): Promise<SseClient> {
  const abort = new AbortController();
  const headers: Record<string, string> = {
    ...(typeof auth === 'string' ? { Authorization: `Bearer ${auth}` } : auth),
    Accept: 'text/event-stream',
  };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const response = await fetch(`${baseUrl}/events`, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended: Promise<void> = Promise.resolve();
  if (response.body && (response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    ended = (async () => {
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields: Record<string, string> = {};
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
            if (fields.data === undefined) continue;
            events.push({
              id: Number(fields.id),
              type: fields.event ?? fields.type,
              receivedAt: performance.now(),
              data: JSON.parse(fields.data) as SseEvent['data'],
            });
            for (const wake of waiters) wake();
          }
        }
      } catch {
        // closed by the test
      }
    })();
  }
  return {
    status: response.status,
    events,
    waitFor(test, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(test);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event among ${JSON.stringify(events.map((e) => [e.id, e.type, e.data.windowId]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    waitForEnd(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the stream did not end within ${timeoutMs} ms`)), timeoutMs);
      });
      return Promise.race([ended, late]).finally(() => clearTimeout(timer));
    },
    close: () => abort.abort(),
  };
}
