import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { LIMITS } from '@cos/contracts/limits';
import { api, takeArrived, takePrefetched } from '../api';
import type { WindowRow } from './window-changes';

/** The cloud's largest page: a screen of rows is one or two requests. */
const ROWS_PER_PAGE = LIMITS.pageSizeMax;
/** Pages kept at most; those farthest from the screen go first (100,000 windows are never all held). */
const PAGES_KEPT = 60;
/**
 * How long the pages on screen must stay the same before they are asked for: a list flown
 * through asks only where it stops, not for every page it passed.
 */
const SETTLE_MS = 60;

type Query = Record<string, unknown>;

/**
 * The windows of a filtered, sorted list as the screen reaches them: `ensure(first, last)` loads
 * the pages holding those rows (each page once, however often it is asked for), `rowAt` answers
 * what is loaded. A new query or a live change starts over, keeping what is on screen until its
 * new rows arrive; an answer to an earlier query is dropped.
 */
export function useWindowRows(query: Query, live: number) {
  const key = JSON.stringify(query);
  // The first page when it came with the page (first-load.ts): drawn at once, not asked for again.
  const [seed] = useState(() =>
    takeArrived<{ list: WindowRow[]; total: number }>('/browser/list', { ...query, page: 0, pageSize: ROWS_PER_PAGE }),
  );
  const seeded = useRef(seed !== undefined);
  const [total, setTotal] = useState<number | null>(seed?.total ?? null);
  const [error, setError] = useState('');
  const [, setTick] = useState(0);
  const pages = useRef(new Map<number, WindowRow[]>(seed ? [[0, seed.list]] : []));
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const onScreen = useRef<[number, number]>([0, 0]);

  const load = useCallback(
    (page: number, fresh = false) => {
      if ((!fresh && pages.current.has(page)) || loading.current.has(page)) return;
      const mine = generation.current;
      loading.current.add(page);
      const body = { ...(JSON.parse(key) as Query), page, pageSize: ROWS_PER_PAGE };
      (
        takePrefetched<{ list: WindowRow[]; total: number }>('/browser/list', body) ??
        api<{ list: WindowRow[]; total: number }>('/browser/list', body)
      )
        .then(
          (answer) => {
            if (mine !== generation.current) return;
            pages.current.set(page, answer.list);
            setTotal(answer.total);
            setError('');
            trim(pages.current, page);
          },
          (e: unknown) => mine === generation.current && setError(e instanceof Error ? e.message : String(e)),
        )
        .finally(() => {
          if (mine === generation.current) loading.current.delete(page);
          // Drawn in a transition: React draws the rows a page brings a few at a time between frames.
          startTransition(() => setTick((t) => t + 1));
        });
    },
    [key],
  );

  const settle = useRef<{ pages: string; timer: ReturnType<typeof setTimeout> | null }>({ pages: '', timer: null });
  const ensure = useCallback(
    (first: number, last: number) => {
      onScreen.current = [first, last];
      const [from, to] = [Math.floor(first / ROWS_PER_PAGE), Math.floor(last / ROWS_PER_PAGE)];
      const wanted = `${from}-${to}`;
      if (wanted === settle.current.pages) return;
      if (settle.current.timer) clearTimeout(settle.current.timer);
      settle.current = {
        pages: wanted,
        timer: setTimeout(() => {
          settle.current.timer = null;
          for (let page = from; page <= to; page++) load(page);
        }, SETTLE_MS),
      };
    },
    [load],
  );
  useEffect(() => () => void (settle.current.timer && clearTimeout(settle.current.timer)), []);

  // A new list (or a change the cloud told of): what is on screen is read again; the rest on demand.
  useEffect(() => {
    if (seeded.current) {
      seeded.current = false;
      return;
    }
    generation.current++;
    loading.current.clear();
    const [first, last] = onScreen.current;
    const keep = new Set<number>();
    for (let page = Math.floor(first / ROWS_PER_PAGE); page <= Math.floor(last / ROWS_PER_PAGE); page++) keep.add(page);
    if (keep.size === 0) keep.add(0);
    for (const page of [...pages.current.keys()]) if (!keep.has(page)) pages.current.delete(page);
    for (const page of keep) load(page, true);
  }, [key, live, load]);

  // Read at each render (a loaded page renders again through `setTick`).
  const rowAt = (index: number) => pages.current.get(Math.floor(index / ROWS_PER_PAGE))?.[index % ROWS_PER_PAGE];
  /** Every loaded row (what a selection can name). */
  const loaded = () => [...pages.current.values()].flat();
  const reload = useCallback(() => {
    generation.current++;
    loading.current.clear();
    const [first, last] = onScreen.current;
    for (let page = Math.floor(first / ROWS_PER_PAGE); page <= Math.floor(last / ROWS_PER_PAGE); page++) load(page, true);
  }, [load]);

  return { total, error, rowAt, ensure, loaded, reload };
}

/** Drops the pages farthest from `near` once more than PAGES_KEPT are held. */
function trim(pages: Map<number, WindowRow[]>, near: number): void {
  if (pages.size <= PAGES_KEPT) return;
  const far = [...pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
  for (const page of far.slice(0, pages.size - PAGES_KEPT)) pages.delete(page);
}
