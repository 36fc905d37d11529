import type { Page } from 'playwright-core';

/** Where the windows list scrolls: its own `.table-scroll` box, or the page itself while the table has none. */
export type ScrollBox = '.table-scroll' | 'document';

/** A frame over 33 ms as the page's main thread saw it (ms): when into the scroll, how long, and where it went. */
export interface LongFrame {
  at: number;
  ms: number;
  script: number;
  styleAndLayout: number;
  render: number;
  scripts: { what: string; ms: number }[];
}

/** The fields of a PerformanceLongAnimationFrameTiming read here (not yet in TypeScript's DOM types). */
interface LoafEntry {
  startTime: number;
  duration: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; invokerType: string; duration: number }[];
}

/**
 * Scrolls the windows list for `durationMs` from a requestAnimationFrame loop, as a fast wheel or
 * a dragged scrollbar would: `step` px down each frame from the top, a jump to the middle, on down,
 * a jump to the end, then back up. Answers each frame's time (the interval since the frame before).
 */
export function scrollFrames(
  page: Page,
  durationMs = 5_000,
  step = 2_000,
): Promise<{ box: ScrollBox; frames: number[]; long: LongFrame[] }> {
  return page.evaluate(
    ({ durationMs, step }) => {
      const own = document.querySelector<HTMLElement>('.table-scroll');
      const box = own ?? (document.scrollingElement as HTMLElement);
      box.scrollTop = 0;
      const frames: number[] = [];
      // The page's own long animation frames (Chromium's Long Animation Frames API): what its main
      // thread spent a frame over 33 ms on, in script, in style and layout, and in the rest of rendering.
      const long: LongFrame[] = [];
      let began = 0;
      const take = (entries: PerformanceEntryList) => {
        for (const entry of entries as unknown as LoafEntry[]) {
          if (entry.duration <= 33 || entry.startTime < began) continue;
          const end = entry.startTime + entry.duration;
          const scripts = entry.scripts.map((script) => ({ what: script.invoker || script.invokerType, ms: script.duration }));
          long.push({
            at: entry.startTime - began,
            ms: entry.duration,
            script: scripts.reduce((sum, script) => sum + script.ms, 0),
            styleAndLayout: entry.styleAndLayoutStart > 0 ? end - entry.styleAndLayoutStart : 0,
            render: entry.renderStart > 0 ? end - entry.renderStart : 0,
            scripts: scripts.sort((a, b) => b.ms - a.ms).slice(0, 3),
          });
        }
      };
      const observer = new PerformanceObserver((list) => take(list.getEntries()));
      observer.observe({ type: 'long-animation-frame', buffered: false });
      const moves: [number, (el: HTMLElement) => void][] = [
        [0.35, (el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2)],
        [0.7, (el) => (el.scrollTop = el.scrollHeight)],
      ];
      return new Promise<{ box: ScrollBox; frames: number[]; long: LongFrame[] }>((resolve) => {
        requestAnimationFrame((first) => {
          began = first;
          let last = first;
          const tick = (now: number) => {
            frames.push(now - last);
            last = now;
            const done = (now - first) / durationMs;
            if (moves.length > 0 && done >= moves[0][0]) moves.shift()![1](box);
            else box.scrollTop += done < 0.7 ? step : -step;
            if (done < 1) requestAnimationFrame(tick);
            else
              // The observer reports a frame after it ends: one more frame, then what it saw.
              requestAnimationFrame(() =>
                setTimeout(() => {
                  take(observer.takeRecords());
                  observer.disconnect();
                  resolve({ box: own ? '.table-scroll' : 'document', frames, long });
                }, 50),
              );
          };
          requestAnimationFrame(tick);
        });
      });
    },
    { durationMs, step },
  );
}

/**
 * From the top of the list, jumps to its end and answers how long until the last window's row
 * shows (by its aria-rowindex, `total` + 1 with the header row, or by the last window's name), or
 * null when it does not within `timeoutMs` (a paged table shows the end only on its last page).
 */
export function timeToLastRow(page: Page, total: number, lastName: string, timeoutMs = 15_000): Promise<number | null> {
  return page.evaluate(
    ({ total, lastName, timeoutMs }) => {
      const box = document.querySelector<HTMLElement>('.table-scroll') ?? (document.scrollingElement as HTMLElement);
      box.scrollTop = 0;
      const shown = () =>
        document.querySelector(`tr[aria-rowindex="${total + 1}"]:not(.pending)`) !== null ||
        Array.from(document.querySelectorAll('td, [role="cell"], [role="gridcell"]')).some((cell) => cell.textContent?.trim() === lastName);
      return new Promise<number | null>((resolve) => {
        requestAnimationFrame(() => {
          const start = performance.now();
          box.scrollTop = box.scrollHeight;
          const poll = () => {
            const elapsed = performance.now() - start;
            if (shown()) resolve(elapsed);
            else if (elapsed > timeoutMs) resolve(null);
            else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        });
      });
    },
    { total, lastName, timeoutMs },
  );
}

/** Chromium coarsens the frame timestamps to 0.1 ms: a frame on time may read 16.8 ms. */
const CLOCK_STEP = 0.1;

/** Frame times summed up: the quantiles, the longest, and how many frames missed 60 Hz (16.7 ms) and 30 Hz (33 ms). */
export function frameStats(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    count: frames.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1],
    over16: frames.filter((f) => f > 16.7 + CLOCK_STEP + 0.01).length,
    over33: frames.filter((f) => f > 33).length,
  };
}
