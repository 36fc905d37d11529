import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

/** A column of a long list: its header, what a row shows, and the field it sorts by when the list can sort on it. */
export interface ListColumn<T> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  sortBy?: string;
}

export interface ListSort {
  by: string;
  order: 'asc' | 'desc';
}

/** Rows to ask for beyond those on screen, so a steady scroll finds them loaded. */
const OVERSCAN = 12;

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
  /** Estimated row height in pixels (rows are measured as they show). */
  rowHeight?: number;
  /** A new value is a new list: back to its top. */
  resetKey?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.total,
    getScrollElement: () => scroller.current,
    estimateSize: () => props.rowHeight ?? 41,
    overscan: OVERSCAN,
  });
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [props.resetKey]);
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  const { onRange } = props;
  useEffect(() => {
    if (last >= first) onRange(first, last);
  }, [first, last, onRange]);

  const columns = props.columns;
  const span = columns.length + (props.select ? 1 : 0);
  const before = items[0]?.start ?? 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  return (
    <div className="table-scroll" ref={scroller} role="region" aria-label={`${props.label}, scrollable`} tabIndex={0}>
      <table aria-label={props.label} aria-rowcount={props.total + 1} className="cards">
        <thead>
          <tr aria-rowindex={1}>
            {props.select && <th scope="col">{props.select.header}</th>}
            {columns.map((column) => (
              <th
                key={column.id}
                scope="col"
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
        <tbody>
          {before > 0 && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={span} style={{ height: before }} />
            </tr>
          )}
          {items.map((item) => {
            const row = props.rowAt(item.index);
            return (
              <tr
                key={row ? props.rowKey(row) : `pending-${item.index}`}
                data-index={item.index}
                ref={virtualizer.measureElement}
                aria-rowindex={item.index + 2}
                className={row ? undefined : 'pending'}
              >
                {row ? (
                  <>
                    {props.select && <td className="select">{props.select.cell(row)}</td>}
                    {columns.map((column) => (
                      <td key={column.id} data-label={column.header}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </>
                ) : (
                  <td colSpan={span}>Loading…</td>
                )}
              </tr>
            );
          })}
          {after > 0 && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={span} style={{ height: after }} />
            </tr>
          )}
        </tbody>
      </table>
      {props.total === 0 && props.empty && <div className="empty">{props.empty}</div>}
    </div>
  );
}
