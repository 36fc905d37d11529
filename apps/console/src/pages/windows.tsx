// Long: the windows page, its table, batch toolbar and versions dialog share one selection state.
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ColumnDef, RowSelectionState } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Dialog, Field, NamedOptions, Status, useAction, useLoad } from '../ui';
import type { Named, WindowRow } from './window-changes';
import { authorOf } from './version-author';
import type { Version } from './version-author';
import { WindowForm } from './window-form';

const PAGE_SIZE = 100;

/** What the proxy column says of a window's proxy, by its method. */
function proxyText(w: WindowRow): string {
  if (w.proxyMethod === 4) return `saved proxy #${w.proxyId ?? '?'}`;
  if (w.proxyMethod === 3) return `API extraction (${w.proxyType})`;
  return w.host ? `${w.proxyType} ${w.host}:${w.port ?? ''}` : '—';
}

export function WindowsPage({ live }: { live: number }) {
  const me = useSession();
  const [page, setPage] = useState(0);
  const [keyword, setKeyword] = useState('');
  const [search, setSearch] = useState('');
  const [groupId, setGroupId] = useState('');
  const [tagId, setTagId] = useState('');
  const [openStatus, setOpenStatus] = useState('');
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [editing, setEditing] = useState<WindowRow | 'new' | null>(null);
  const [versionsOf, setVersionsOf] = useState<WindowRow | null>(null);
  const [batchGroup, setBatchGroup] = useState('');
  const [batchRemark, setBatchRemark] = useState('');
  const { status, run } = useAction();

  const filters = {
    page,
    pageSize: PAGE_SIZE,
    ...(search ? { keyword: search } : {}),
    ...(groupId ? { groupId: Number(groupId) } : {}),
    ...(tagId ? { tagIds: [Number(tagId)] } : {}),
    ...(openStatus ? { openStatus } : {}),
  };
  const windows = useLoad(() => api<{ list: WindowRow[]; total: number }>('/browser/list', filters), [JSON.stringify(filters), live]);
  const groups = useLoad(() => api<{ list: Named[] }>('/group/list', { pageSize: 100 }), [live]);
  const tags = useLoad(() => api<{ list: Named[] }>('/tag/list', { pageSize: 100 }), [live]);
  const mayEdit = can(me, 'browser:update:single');
  const mayBatch = can(me, 'browser:update:batch');
  const mayDelete = can(me, 'browser:delete:recycle');

  const columns = useMemo<ColumnDef<WindowRow>[]>(
    () => [
      {
        id: 'select',
        header: ({ table }) => (
          <input
            type="checkbox"
            aria-label="Select all windows on this page"
            checked={table.getIsAllRowsSelected()}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select ${row.original.name}`}
            checked={row.getIsSelected()}
            onChange={row.getToggleSelectedHandler()}
          />
        ),
      },
      { header: 'ID', accessorKey: 'id' },
      { header: 'Name', accessorKey: 'name' },
      { header: 'Group', accessorKey: 'groupName' },
      { header: 'Tags', cell: ({ row }) => row.original.tags.map((t) => t.name).join(', ') },
      {
        header: 'Proxy',
        cell: ({ row }) => proxyText(row.original),
      },
      {
        header: 'Status',
        cell: ({ row }) => (row.original.openStatus === 'closed' ? 'closed' : `${row.original.openStatus} on ${row.original.openDeviceId}`),
      },
      { header: 'Remark', accessorKey: 'remark' },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) => (
          <span className="actions">
            {mayEdit && (
              <button type="button" onClick={() => setEditing(row.original)}>
                Edit {row.original.name}
              </button>
            )}{' '}
            <button type="button" onClick={() => setVersionsOf(row.original)}>
              Versions
            </button>
          </span>
        ),
      },
    ],
    [mayEdit],
  );
  const table = useReactTable({
    data: windows.data?.list ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => String(row.id),
    state: { rowSelection: selection },
    onRowSelectionChange: setSelection,
    enableRowSelection: true,
  });
  const selected = Object.keys(selection)
    .filter((k) => selection[k])
    .map(Number);
  const total = windows.data?.total ?? 0;
  const after = () => {
    setSelection({});
    windows.reload();
  };
  const batchAllowed = selected.length === 1 ? mayEdit : mayBatch;

  return (
    <>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(0);
          setSearch(keyword.trim());
        }}
      >
        <Field label="Search name or remark">
          <input type="search" value={keyword} onChange={(e) => setKeyword(e.target.value)} />
        </Field>
        <Field label="Group">
          <select value={groupId} onChange={(e) => (setGroupId(e.target.value), setPage(0))}>
            <option value="">All groups</option>
            <NamedOptions items={groups.data?.list} />
          </select>
        </Field>
        <Field label="Tag">
          <select value={tagId} onChange={(e) => (setTagId(e.target.value), setPage(0))}>
            <option value="">All tags</option>
            <NamedOptions items={tags.data?.list} />
          </select>
        </Field>
        <Field label="Status">
          <select value={openStatus} onChange={(e) => (setOpenStatus(e.target.value), setPage(0))}>
            <option value="">Any status</option>
            <option value="opened">Open</option>
            <option value="closed">Closed</option>
          </select>
        </Field>
        <button type="submit">Search</button>
        {can(me, 'browser:create:single') && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New window
          </button>
        )}
      </form>

      {selected.length > 0 && (
        <section className="toolbar" aria-label="Selected windows">
          <span>{selected.length} selected</span>
          {batchAllowed && (
            <>
              <Field label="Move to group">
                <select value={batchGroup} onChange={(e) => setBatchGroup(e.target.value)}>
                  <option value="">Choose…</option>
                  <option value="0">No group</option>
                  <NamedOptions items={groups.data?.list} />
                </select>
              </Field>
              <button
                type="button"
                disabled={batchGroup === ''}
                onClick={() =>
                  void run('Move to group', () => api('/browser/group/update', { ids: selected, groupId: Number(batchGroup) })).then(after)
                }
              >
                Move
              </button>
              <Field label="Remark">
                <input value={batchRemark} onChange={(e) => setBatchRemark(e.target.value)} />
              </Field>
              <button
                type="button"
                onClick={() =>
                  void run('Set remark', () => api('/browser/remark/update', { ids: selected, remark: batchRemark })).then(after)
                }
              >
                Set remark
              </button>
              <button
                type="button"
                onClick={() =>
                  void run('Remove proxy', () => api('/browser/proxy/update', { ids: selected, proxyMethod: 2, proxyType: 'direct' })).then(
                    after,
                  )
                }
              >
                Remove proxy
              </button>
            </>
          )}
          {mayDelete && (
            <button
              type="button"
              onClick={() => void run('Move to recycle bin', () => api('/browser/delete/ids', { ids: selected })).then(after)}
            >
              Delete
            </button>
          )}
        </section>
      )}
      <Status text={status || windows.error} />

      <div className="table-wrap">
        <table aria-label="Windows" aria-rowcount={total}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col">
                    {flexRender(header.column.columnDef.header, header.getContext())}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages of windows">
        <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
          Previous
        </button>
        <span>
          Page {page + 1} of {Math.max(1, Math.ceil(total / PAGE_SIZE))} ({total} windows)
        </span>
        <button type="button" disabled={(page + 1) * PAGE_SIZE >= total} onClick={() => setPage((p) => p + 1)}>
          Next
        </button>
      </nav>

      {editing && (
        <WindowForm
          window={editing === 'new' ? null : editing}
          groups={groups.data?.list ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => (setEditing(null), windows.reload())}
        />
      )}
      {versionsOf && <Versions window={versionsOf} onClose={() => setVersionsOf(null)} />}
    </>
  );
}

/** The window's roaming profile versions, with restore for those who may edit. */
function Versions({ window: w, onClose }: { window: WindowRow; onClose: () => void }) {
  const me = useSession();
  const versions = useLoad(() => api<{ list: Version[]; current: number | null }>('/browser/profile/versions', { id: w.id }), [w.id]);
  const { status, run } = useAction();
  return (
    <Dialog title={`Profile versions of ${w.name}`} onClose={onClose}>
      {versions.data?.list.length === 0 && <p>No profile version yet: the first close on a device makes one.</p>}
      <ul>
        {versions.data?.list.map((v) => (
          <li key={v.version}>
            Version {v.version}
            {v.version === versions.data?.current ? ' (current)' : ''} — {new Date(v.createdAt).toLocaleString()}, {v.fileCount} files,{' '}
            {(v.totalSize / 1048576).toFixed(1)} MB{authorOf(v)}
            {v.restoredFrom ? `, restored from ${v.restoredFrom}` : ''}{' '}
            {can(me, 'browser:update:single') && v.version !== versions.data?.current && (
              <button
                type="button"
                onClick={() =>
                  void run(`Restore version ${v.version}`, () => api('/browser/profile/restore', { id: w.id, version: v.version })).then(
                    versions.reload,
                  )
                }
              >
                Restore {v.version}
              </button>
            )}
          </li>
        ))}
      </ul>
      <Status text={status || versions.error} />
    </Dialog>
  );
}
