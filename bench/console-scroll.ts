import type { Page } from 'playwright-core';

/** Where the windows list scrolls: its own `.table-scroll` box, or the page itself while the table has none. */
export type ScrollBox = '.table-scroll' | 'document';

/**
 * Scrolls the windows list for `durationMs` from a requestAnimationFrame loop, as a fast wheel or
 * a dragged scrollbar would: `step` px down each frame from the top, a jump to the middle, on down,
 * a jump to the end, then back up. Answers each frame's time (the interval since the frame before).
 */
export function scrollFrames(page: Page, durationMs = 5_000, step = 2_000): Promise<{ box: ScrollBox; frames: number[] }> {
  return page.evaluate(
    ({ durationMs, step }) => {
      const own = document.querySelector<HTMLElement>('.table-scroll');
      const box = own ?? (document.scrollingElement as HTMLElement);
      box.scrollTop = 0;
      const frames: number[] = [];
      const moves: [number, (el: HTMLElement) => void][] = [
        [0.35, (el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2)],
        [0.7, (el) => (el.scrollTop = el.scrollHeight)],
      ];
      return new Promise<{ box: ScrollBox; frames: number[] }>((resolve) => {
        requestAnimationFrame((first) => {
          let last = first;
          const tick = (now: number) => {
            frames.push(now - last);
            last = now;
            const done = (now - first) / durationMs;
            if (moves.length > 0 && done >= moves[0][0]) moves.shift()![1](box);
            else box.scrollTop += done < 0.7 ? step : -step;
            if (done < 1) requestAnimationFrame(tick);
            else resolve({ box: own ? '.table-scroll' : 'document', frames });
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
