import { lazy, Suspense, useState } from 'react';

const ColumnMenu = lazy(() => import('./column-menu').then((m) => ({ default: m.ColumnMenu })));

/** Which of a list's columns show, kept in this browser under `key`; `fixed` columns always show. */
export function useColumnChoice(key: string, all: string[], hiddenAtFirst: string[]) {
  const [hidden, setHidden] = useState<string[]>(() => {
    try {
      const kept: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
      return Array.isArray(kept) ? kept.filter((id): id is string => typeof id === 'string' && all.includes(id)) : hiddenAtFirst;
    } catch {
      return hiddenAtFirst;
    }
  });
  const toggle = (id: string, show: boolean) => {
    const next = show ? hidden.filter((h) => h !== id) : [...hidden, id];
    localStorage.setItem(key, JSON.stringify(next));
    setHidden(next);
  };
  return { shows: (id: string) => !hidden.includes(id), toggle };
}

/** A menu of the columns a list may show, each ticked on or off: a plain button until first used. */
export function ColumnChooser(props: {
  columns: { id: string; header: string }[];
  shows: (id: string) => boolean;
  toggle: (id: string, show: boolean) => void;
}) {
  const [used, setUsed] = useState(false);
  const plain = (
    <button type="button" aria-haspopup="menu" onClick={() => setUsed(true)}>
      Columns ▾
    </button>
  );
  return used ? (
    <Suspense fallback={plain}>
      <ColumnMenu {...props} />
    </Suspense>
  ) : (
    plain
  );
}
