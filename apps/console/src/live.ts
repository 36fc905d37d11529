import { currentSession, endSession, renew, token } from './api';
import type { Envelope } from './api';

/** What a stream may come labelled as: its own type, bytes, or nothing. */
const STREAM_TYPES = /^(text\/event-stream|application\/octet-stream)?\s*(;|$)/i;

/** The code of the envelope a refused call was answered with, else its HTTP status; any other body is not read. */
async function codeOf(response: Response): Promise<number> {
  if (!response.headers.get('content-type')?.includes('json')) {
    await response.body?.cancel().catch(() => undefined);
    return response.status;
  }
  const answer = (await response.json().catch(() => null)) as Partial<Envelope<unknown>> | null;
  return typeof answer?.code === 'number' ? answer.code : response.status;
}

/**
 * Server-Sent Events of the team, read with fetch so the token goes in a header, not in the URL.
 * `onReopened` is told each time the stream opens again after it was open: the cloud ends a
 * caller's streams when their access changes (role, permissions, scope, groups), so what the caller
 * may do is read again then.
 */
export function listen(
  onEvent: (event: { kind: string; data: Record<string, unknown> }) => void,
  onReachable: (reachable: boolean) => void = () => undefined,
  onReopened: () => void = () => undefined,
): () => void {
  const controller = new AbortController();
  let lastId = '';
  let opened = false;
  let renewedJustNow = false;
  // Told only when it changes: the cloud stopped answering the stream, or answers it again.
  let reachable = true;
  const reached = (now: boolean) => {
    if (now !== reachable && !controller.signal.aborted) onReachable((reachable = now));
  };
  const run = async () => {
    while (!controller.signal.aborted) {
      const mine = currentSession();
      try {
        const response = await fetch('/events', {
          headers: { Authorization: `Bearer ${token() ?? ''}`, ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
          signal: controller.signal,
        });
        // The cloud answers a stream it refuses with its envelope (or HTTP 429 over the streams one may hold), not events.
        // A stream a proxy relabelled as bytes (or left unlabelled) is still read as one; an envelope
        // (JSON), a page (a proxy's or a portal's, even with 200) or an HTTP error is not.
        const refused = response.ok && STREAM_TYPES.test(response.headers.get('content-type') ?? '') ? null : await codeOf(response);
        // Refused for the session (a removed member's, whose cookie went with it): the page signs out at
        // once and says why, rather than take the refusal for a stream and stay drawn with nothing live.
        if (refused === 401) {
          const renewal = await renew();
          if (renewal === 'refused') {
            endSession(mine);
            return;
          }
          // An expired token, renewed: asked again at once, but only once in a row (a cloud refusing every new token is waited on).
          if (renewal === 'renewed' && !renewedJustNow) {
            renewedJustNow = true;
            continue;
          }
        }
        if (refused !== null || !response.body) throw new Error(`events: refused (${refused ?? 'no body'})`);
        renewedJustNow = false;
        reached(true);
        if (opened) onReopened();
        opened = true;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string) =>
              block
                .split('\n')
                .find((l) => l.startsWith(`${name}:`))
                ?.slice(name.length + 1)
                .trim();
            const data = field('data');
            // Only an event id is sent back as Last-Event-ID: anything else would have every reconnect refused.
            const id = field('id');
            if (id !== undefined && /^\d{1,18}$/.test(id)) lastId = id;
            if (data) onEvent({ kind: field('event') ?? 'message', data: JSON.parse(data) as Record<string, unknown> });
          }
        }
      } catch {
        if (controller.signal.aborted) return;
        reached(false);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
  return () => controller.abort();
}
