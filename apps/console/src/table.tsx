import { getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ColumnDef, OnChangeFn, RowSelectionState } from '@tanstack/react-table';
import type { ReactNode } from 'react';

/** A column: its header and what a row shows in it. */
export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Its text wraps (long names, details) instead of widening the table. */
  wrap?: boolean;
}

/** Rows with a checkbox each (and one for the whole page); `selection` holds the ticked rows' ids. */
export interface RowSelection<T> {
  selection: RowSelectionState;
  onChange: OnChangeFn<RowSelectionState>;
  /** The accessible name of the checkbox in the header. */
  allLabel: string;
  /** The accessible name of a row's checkbox. */
  rowLabel: (row: T) => string;
}

function selectColumn<T>(select: RowSelection<T>): ColumnDef<T> {
  return {
    id: 'select',
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label={select.allLabel}
        checked={table.getIsAllRowsSelected()}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label={select.rowLabel(row.original)}
        checked={row.getIsSelected()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  };
}

/**
 * A header or cell called as a function, where tanstack's `flexRender` would mount it as a component:
 * the columns are made afresh at every render, and a new component type each time would remount
 * every cell, a ticked checkbox losing its focus with it.
 */
function show<C>(render: unknown, context: C): ReactNode {
  return typeof render === 'function' ? (render as (context: C) => ReactNode)(context) : (render as ReactNode);
}

/** The rows of a list still loading: one array for every render (see `Table`). */
const NO_ROWS: never[] = [];

/**
 * A list as a table named `label` (what assistive technology and the tests find it by), column
 * headers scoped to their columns, scrolling sideways when wider than the page.
 */
export function Table<T>(props: {
  label: string;
  rows: T[] | undefined;
  columns: Column<T>[];
  rowId: (row: T) => number | string;
  /** Every row of the list when `rows` is one page of it. */
  rowCount?: number;
  select?: RowSelection<T>;
}) {
  const { select } = props;
  const table = useReactTable({
    // Not a new [] at each render: tanstack takes new data for a new row model and resets its page
    // state, which renders again, with new data again — a loop that froze the page while a list loaded.
    data: props.rows ?? NO_ROWS,
    autoResetAll: false,
    columns: [
      ...(select ? [selectColumn(select)] : []),
      ...props.columns.map((column, i): ColumnDef<T> => ({
        id: String(i),
        header: column.header,
        cell: ({ row }) => column.cell(row.original),
      })),
    ],
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => String(props.rowId(row)),
    state: select ? { rowSelection: select.selection } : {},
    onRowSelectionChange: select?.onChange,
    enableRowSelection: select !== undefined,
  });
  return (
    // A region that takes the focus: a wide table scrolls sideways by keyboard too.
    <div className="table-wrap" role="region" aria-label={`${props.label}, scrollable`} tabIndex={0}>
      <table aria-label={props.label} aria-rowcount={props.rowCount} className="cards">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {show(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => {
                const header = cell.column.columnDef.header;
                return (
                  <td
                    key={cell.id}
                    data-label={typeof header === 'string' ? header : undefined}
                    className={props.columns[Number(cell.column.id)]?.wrap ? 'wrap' : undefined}
                  >
                    {show(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous and next through a paged list; `children` says where the reader is. */
export function Pager(props: {
  label: string;
  page: number;
  pageSize: number;
  total: number;
  onPage: (update: (page: number) => number) => void;
  children: ReactNode;
}) {
  // Nothing to page through: no pager; all on one page: only the count.
  if (props.total === 0 && props.page === 0) return null;
  if (props.total <= props.pageSize && props.page === 0) return <p className="pager">{props.children}</p>;
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" disabled={props.page === 0} onClick={() => props.onPage((p) => p - 1)}>
        Previous
      </button>
      <span>{props.children}</span>
      <button type="button" disabled={(props.page + 1) * props.pageSize >= props.total} onClick={() => props.onPage((p) => p + 1)}>
        Next
      </button>
    </nav>
  );
}
