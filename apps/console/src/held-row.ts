import { defaultRangeExtractor } from '@tanstack/react-virtual';
import type { Range, VirtualItem } from '@tanstack/react-virtual';
import { useCallback, useState } from 'react';
import type { FocusEvent, RefObject } from 'react';

/**
 * The row of a long list that holds focus: it stays in the page wherever the list scrolls (Page
 * Down or End would otherwise take it, and the focus with it, out of the page), drawn in its own
 * place with a spacer between it and the rows on screen. `keyboard` says the focus is a
 * keyboard's (`:focus-visible`): the list then draws full rows even when it flies by, since plain
 * text would hide the focused control.
 */
export function useHeldRow(scroller: RefObject<HTMLElement | null>) {
  const [held, setHeld] = useState<{ index: number; keyboard: boolean } | null>(null);
  // Only while the focus is still in the list (a row taken out of the page by a new list takes it away).
  const holding = held !== null && scroller.current?.contains(document.activeElement) === true ? held : null;
  const onFocus = useCallback((event: FocusEvent<HTMLElement>) => {
    const target = event.target as Element;
    const row = target.closest('tr[data-index]');
    setHeld(row ? { index: Number(row.getAttribute('data-index')), keyboard: target.matches(':focus-visible') } : null);
  }, []);
  const onBlur = useCallback((event: FocusEvent<HTMLElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget)) setHeld(null);
  }, []);
  const index = holding?.index ?? null;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (index === null || index >= range.count || indexes.includes(index)) return indexes;
      return index < indexes[0] ? [index, ...indexes] : [...indexes, index];
    },
    [index],
  );
  return { index, keyboard: holding?.keyboard ?? false, onFocus, onBlur, rangeExtractor };
}

/** The rows on screen and about it: `items` without a held row kept apart from them. */
export function aroundScreen(items: VirtualItem[], held: number | null): VirtualItem[] {
  const n = items.length;
  if (held === null || n < 2) return items;
  if (items[0].index === held && items[1].index !== held + 1) return items.slice(1);
  if (items[n - 1].index === held && items[n - 2].index !== held - 1) return items.slice(0, -1);
  return items;
}
