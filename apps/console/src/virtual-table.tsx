import { useVirtualizer } from '@tanstack/react-virtual';
import type { VirtualItem } from '@tanstack/react-virtual';
import { memo, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, ReactNode } from 'react';
import { aroundScreen, useHeldRow } from './held-row';

/** A column of a long list: its header, what a row shows, and the field it sorts by when the list can sort on it. */
export interface ListColumn<T> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  sortBy?: string;
  /** Its width (the table lays out by its header row, not by measuring every cell). */
  width?: string;
  /** What the cell says as plain text, drawn while the list flies by (no controls); empty when unset. */
  text?: (row: T) => string | number;
  /** Kept in view at the table's right edge while wider columns scroll sideways under it (a row's actions). */
  pinEnd?: boolean;
}

export interface ListSort {
  by: string;
  order: 'asc' | 'desc';
}

/** A table row's height in pixels (styles.css keeps rows of a long list at it), and a card's first guess. */
const ROW_HEIGHT = 45;
const CARD_HEIGHT = 260;
/**
 * Scrolled this far (px) between two renders, the list is flying by: rows are drawn as plain text
 * until it stops; not while a row holds keyboard focus (Page Down or End moves further).
 */
const FAST_PX = 400;
/** Rows to ask for beyond those on screen, so a steady scroll finds them loaded; one while flying by. */
const OVERSCAN = 8;
const FLYING_OVERSCAN = 1;

/**
 * A list of any length as one table: only the rows on screen are in the page (the others are
 * spacer rows of the same height), the header stays on top while the rows scroll under it, and
 * `onRange` says which rows are on screen so the caller loads them. A row not loaded yet shows as
 * a placeholder. `aria-rowcount`/`aria-rowindex` tell assistive technology where a row sits.
 * At phone width the same rows lay out as cards (styles.css), each cell named by its column.
 */
export function VirtualTable<T>(props: {
  label: string;
  total: number;
  rowAt: (index: number) => T | undefined;
  rowKey: (row: T) => number | string;
  columns: ListColumn<T>[];
  onRange: (start: number, end: number) => void;
  sort?: ListSort;
  onSort?: (sort: ListSort) => void;
  /** A leading checkbox column: its header and each row's cell. */
  select?: { header: ReactNode; cell: (row: T) => ReactNode };
  /** Empty list: what to do next. */
  empty?: ReactNode;
  /** A row's height in pixels when the list's CSS sets another than ROW_HEIGHT. */
  rowHeight?: number;
  /** A new value is a new list: back to its top. */
  resetKey?: string;
  /**
   * What the cells show besides their row (devices, tags, permissions, columns…): rows render
   * again only when their row, their selection or this changes, not at every scrolled frame.
   */
  cellsVersion: string;
  isSelected?: (row: T) => boolean;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // Rows are measured only where their height varies (cards at phone width); a table row keeps
  // its fixed height (styles.css), and scrolling reads no layout.
  const [cards] = useState(() => window.matchMedia('(max-width: 640px)').matches);
  // The row holding focus stays in the page; a keyboard's focus keeps the rows full (held-row.ts).
  const held = useHeldRow(scroller);
  // Whether the list flies by is read off the virtualizer as its scroll left it (the same one at
  // every render) before the rows are chosen, so the frame that starts flying draws few rows.
  const scrolled = useRef<{ scrollOffset: number | null; isScrolling: boolean } | null>(null);
  const offset = scrolled.current?.scrollOffset ?? 0;
  const lastOffset = useRef(offset);
  const flying = useRef(false);
  if (!scrolled.current?.isScrolling) flying.current = false;
  else if (!held.keyboard && Math.abs(offset - lastOffset.current) > FAST_PX) flying.current = true;
  lastOffset.current = offset;
  const virtualizer = useVirtualizer({
    count: props.total,
    getScrollElement: () => scroller.current,
    estimateSize: () => (cards ? CARD_HEIGHT : (props.rowHeight ?? ROW_HEIGHT)),
    overscan: flying.current ? FLYING_OVERSCAN : OVERSCAN,
    rangeExtractor: held.rangeExtractor,
  });
  scrolled.current = virtualizer;
  const measure = cards ? virtualizer.measureElement : undefined;
  // Into plain text at once; back to full rows in a deferred render React slices between frames.
  const settled = useDeferredValue(!flying.current);
  const lite = flying.current || !settled;
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [props.resetKey]);
  const items = virtualizer.getVirtualItems();
  // The full rows last drawn. While the list flies by they stay in the page, hidden, and plain-text
  // rows are drawn over the same places: no row's controls are taken down and built again at every
  // frame, only when the list stops. Cards are measured, and a hidden card would measure as nothing:
  // theirs are let go.
  const fullItems = useRef(items);
  if (!lite) fullItems.current = items;
  const keepFull = lite && !cards;
  const near = aroundScreen(items, held.index);
  const first = near[0]?.index ?? 0;
  const last = near[near.length - 1]?.index ?? -1;
  const { onRange } = props;
  useEffect(() => {
    if (last >= first) onRange(first, last);
  }, [first, last, onRange]);

  const columns = props.columns;
  const columnsWidth = useMemo(() => widthOf(columns, !!props.select), [columns, props.select]);
  // Another set of columns starts at the left edge again, not where the wider one was scrolled.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollLeft = 0;
  }, [columnsWidth]);
  const span = columns.length + (props.select ? 1 : 0);
  const before = items[0]?.start ?? 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const spacer = (height: number, key?: string) =>
    height > 0 && (
      <tr key={key} aria-hidden="true" className="spacer">
        <td colSpan={span} style={{ height }} />
      </tr>
    );
  // The rows in order, with a spacer before a held row far from the others.
  const spaced = (list: VirtualItem[], draw: (item: VirtualItem, slot: number) => ReactNode) =>
    list.flatMap((item, slot) => {
      const gap = slot > 0 ? item.start - list[slot - 1].end : 0;
      return gap > 0 ? [spacer(gap, `gap-${item.index}`), draw(item, slot)] : [draw(item, slot)];
    });
  const fullRow = (item: VirtualItem) => {
    const row = props.rowAt(item.index);
    return (
      <Row
        key={row ? props.rowKey(row) : `pending-${item.index}`}
        row={row}
        index={item.index}
        columns={columns}
        select={props.select}
        span={span}
        measure={measure}
        version={props.cellsVersion}
        selected={row !== undefined && (props.isSelected?.(row) ?? false)}
      />
    );
  };
  return (
    <div className="table-scroll" ref={scroller} role="region" aria-label={`${props.label}, scrollable`} tabIndex={0}>
      <table
        aria-label={props.label}
        aria-rowcount={props.total + 1}
        className="cards"
        style={{ '--columns-width': `${columnsWidth}rem` } as CSSProperties}
      >
        <thead>
          <tr aria-rowindex={1}>
            {props.select && (
              <th scope="col" className="select">
                {props.select.header}
              </th>
            )}
            {columns.map((column) => (
              <th
                key={column.id}
                scope="col"
                className={column.pinEnd ? 'pin-end' : undefined}
                style={column.width ? { width: column.width } : undefined}
                aria-sort={
                  props.sort && column.sortBy === props.sort.by ? (props.sort.order === 'asc' ? 'ascending' : 'descending') : undefined
                }
              >
                {column.sortBy && props.onSort ? (
                  <button
                    type="button"
                    className="sort"
                    onClick={() =>
                      props.onSort!({
                        by: column.sortBy!,
                        order: props.sort?.by === column.sortBy && props.sort?.order === 'asc' ? 'desc' : 'asc',
                      })
                    }
                  >
                    {column.header}
                    <span aria-hidden="true">{props.sort?.by === column.sortBy ? (props.sort.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
                  </button>
                ) : (
                  column.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody style={lite ? { display: 'none' } : undefined} onFocus={held.onFocus} onBlur={held.onBlur}>
          {!lite && spacer(before)}
          {spaced(lite ? (keepFull ? fullItems.current : []) : items, fullRow)}
          {!lite && spacer(after)}
        </tbody>
        {lite && (
          // Not a scroll anchor: a row written over in place moves with the range, and the browser
          // would scroll the list after it (and again at each render) to keep it where it was.
          <tbody style={{ overflowAnchor: 'none' }}>
            {spacer(before)}
            {spaced(items, (item, slot) => {
              const row = props.rowAt(item.index);
              // Keyed by their place on screen: the next frame writes new text into the same rows.
              // Cards are measured by their own row, so they keep its key.
              const key = cards ? (row ? props.rowKey(row) : `pending-${item.index}`) : slot;
              return <LiteRow key={key} row={row} index={item.index} columns={columns} select={!!props.select} measure={measure} />;
            })}
            {spacer(after)}
          </tbody>
        )}
      </table>
      {props.total === 0 && props.empty && <div className="empty">{props.empty}</div>}
    </div>
  );
}

interface RowProps<T> {
  row: T | undefined;
  index: number;
  columns: ListColumn<T>[];
  select?: { header: ReactNode; cell: (row: T) => ReactNode };
  span: number;
  measure?: (element: Element | null) => void;
  version: string;
  selected: boolean;
}

/** A column without a width takes what is left, at least this many rem. */
const REST_REM = 12;
const SELECT_REM = 2.75;

/** The table's least width in rem: its columns' widths side by side (rem widths only). */
function widthOf(columns: readonly { width?: string }[], select: boolean): number {
  let rem = select ? SELECT_REM : 0;
  for (const column of columns) rem += column.width?.endsWith('rem') ? parseFloat(column.width) : REST_REM;
  return rem;
}

/** One row, drawn again only when its row, selection or the cells' version changes. */
const Row = memo(
  function Row<T>({ row, index, columns, select, span, measure }: RowProps<T>) {
    return (
      <tr data-index={index} ref={measure} aria-rowindex={index + 2} className={row ? undefined : 'pending'}>
        {row ? (
          <>
            {select && <td className="select">{select.cell(row)}</td>}
            {columns.map((column) => (
              <td key={column.id} data-label={column.header} className={column.pinEnd ? 'pin-end' : undefined}>
                {column.cell(row)}
              </td>
            ))}
          </>
        ) : (
          <td colSpan={span}>Loading…</td>
        )}
      </tr>
    );
  },
  (a, b) => a.row === b.row && a.index === b.index && a.version === b.version && a.selected === b.selected && a.measure === b.measure,
) as <T>(props: RowProps<T>) => ReactNode;

interface LiteRowProps<T> {
  row: T | undefined;
  index: number;
  columns: ListColumn<T>[];
  select: boolean;
  measure?: (element: Element | null) => void;
}

/**
 * A row drawn while the list flies by: its cells' plain text, no controls. A row not loaded yet has
 * the same cells, empty but the first, so a frame changes text and never the table's shape.
 */
const LiteRow = memo(
  function LiteRow<T>({ row, index, columns, select, measure }: LiteRowProps<T>) {
    return (
      <tr data-index={index} ref={measure} aria-rowindex={index + 2} className={row ? undefined : 'pending'}>
        {select && <td className="select" />}
        {columns.map((column, at) => (
          <td key={column.id} data-label={column.header} className={column.pinEnd ? 'pin-end' : undefined}>
            {row ? column.text?.(row) : at === 0 ? 'Loading…' : null}
          </td>
        ))}
      </tr>
    );
  },
  (a, b) => a.row === b.row && a.index === b.index && a.columns === b.columns && a.select === b.select && a.measure === b.measure,
) as <T>(props: LiteRowProps<T>) => ReactNode;
