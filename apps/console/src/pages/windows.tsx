import type { RowSelectionState } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Pager, Table } from '../table';
import { ButtonRow, Status, useAction, useLoad } from '../ui';
import { WindowBatchBar } from './window-batch';
import type { Named, WindowRow } from './window-changes';
import { NO_FILTERS, WindowFilters, windowListQuery } from './window-filters';
import { WindowForm } from './window-form';
import { WindowVersions } from './window-versions';
import { CloseOnDevice, DevicePicker, OpenOnDevice, useDevices } from './window-devices';
import { WindowImportDialog } from './window-import';
import { exportWindows } from './window-export';
import { download } from './csv';

const PAGE_SIZE = 100;

/** What the proxy column says of a window's proxy, by its method. */
function proxyText(w: WindowRow): string {
  if (w.proxyMethod === 4) return `saved proxy #${w.proxyId ?? '?'}`;
  if (w.proxyMethod === 3) return `API extraction (${w.proxyType})`;
  return w.host ? `${w.proxyType} ${w.host}:${w.port ?? ''}` : '—';
}

/** The windows page: filters, the batch bar over the selected rows, the table, the form and the versions dialog. */
export function WindowsPage({ live }: { live: number }) {
  const me = useSession();
  const [page, setPage] = useState(0);
  const [filters, setFilters] = useState(NO_FILTERS);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [editing, setEditing] = useState<WindowRow | 'new' | null>(null);
  const [versionsOf, setVersionsOf] = useState<WindowRow | null>(null);
  const [importing, setImporting] = useState(false);
  const { status, run } = useAction();

  const query = windowListQuery(filters, page, PAGE_SIZE);
  const windows = useLoad(() => api<{ list: WindowRow[]; total: number }>('/browser/list', query), [JSON.stringify(query), live]);
  const groups = useLoad(() => api<{ list: Named[] }>('/group/list', { pageSize: 100 }), [live]);
  const tags = useLoad(() => api<{ list: Named[] }>('/tag/list', { pageSize: 100 }), [live]);
  const mayEdit = can(me, 'browser:update:single');
  const mayOpen = can(me, 'browser:open');
  const devices = useDevices(live);
  const selected = Object.keys(selection)
    .filter((k) => selection[k])
    .map(Number);
  const total = windows.data?.total ?? 0;

  return (
    <>
      <WindowFilters
        value={filters}
        onChange={(next) => (setFilters(next), setPage(0))}
        groups={groups.data?.list}
        tags={tags.data?.list}
        onNew={can(me, 'browser:create:single') ? () => setEditing('new') : undefined}
      />
      <section className="toolbar" aria-label="Import and export">
        {can(me, 'browser:create:single') && (
          <button type="button" onClick={() => setImporting(true)}>
            Import windows…
          </button>
        )}
        <button
          type="button"
          onClick={() =>
            void run('Export', async () => {
              const { page: _page, pageSize: _size, ...filtersOnly } = windowListQuery(filters, 0, PAGE_SIZE);
              download('windows.csv', await exportWindows(filtersOnly, () => undefined));
            })
          }
        >
          Export CSV
        </button>
      </section>
      {importing && <WindowImportDialog onClose={() => setImporting(false)} onImported={windows.reload} />}
      {mayOpen && (
        <section className="toolbar" aria-label="Devices">
          <DevicePicker devices={devices} />
          {selected.length > 0 && (
            <OpenOnDevice ids={selected} devices={devices} run={run} after={windows.reload} label={`Open ${selected.length} selected`} />
          )}
        </section>
      )}
      <WindowBatchBar
        ids={selected}
        groups={groups.data?.list}
        mayChange={selected.length === 1 ? mayEdit : can(me, 'browser:update:batch')}
        mayDelete={can(me, 'browser:delete:recycle')}
        run={run}
        after={() => (setSelection({}), windows.reload())}
      />
      <Status text={status || windows.error} />
      <Table
        label="Windows"
        rows={windows.data?.list}
        rowId={(w) => w.id}
        rowCount={total}
        select={{
          selection,
          onChange: setSelection,
          allLabel: 'Select all windows on this page',
          rowLabel: (w) => `Select ${w.name}`,
        }}
        columns={[
          { header: 'ID', cell: (w) => w.id },
          { header: 'Name', cell: (w) => w.name },
          { header: 'Group', cell: (w) => w.groupName },
          { header: 'Tags', cell: (w) => w.tags.map((t) => t.name).join(', ') },
          { header: 'Proxy', cell: proxyText },
          {
            header: 'Status',
            cell: (w) =>
              w.openStatus === 'closed'
                ? 'closed'
                : `${w.openStatus} on ${devices.list.find((d) => d.deviceId === w.openDeviceId)?.hostname ?? w.openDeviceId}`,
          },
          { header: 'Remark', cell: (w) => w.remark },
          {
            header: 'Actions',
            cell: (w) => (
              <ButtonRow>
                {mayOpen &&
                  (w.openStatus === 'closed' ? (
                    <OpenOnDevice ids={[w.id]} devices={devices} run={run} after={windows.reload} label={`Open ${w.name}`} />
                  ) : (
                    <CloseOnDevice
                      id={w.id}
                      name={w.name}
                      openDeviceId={w.openDeviceId}
                      devices={devices}
                      run={run}
                      after={windows.reload}
                    />
                  ))}
                {mayEdit && (
                  <button type="button" onClick={() => setEditing(w)}>
                    Edit {w.name}
                  </button>
                )}
                <button type="button" onClick={() => setVersionsOf(w)}>
                  Versions
                </button>
              </ButtonRow>
            ),
          },
        ]}
      />
      <Pager label="Pages of windows" page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage}>
        Page {page + 1} of {Math.max(1, Math.ceil(total / PAGE_SIZE))} ({total} windows)
      </Pager>

      {editing && (
        <WindowForm
          window={editing === 'new' ? null : editing}
          groups={groups.data?.list ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => (setEditing(null), windows.reload())}
        />
      )}
      {versionsOf && <WindowVersions window={versionsOf} onClose={() => setVersionsOf(null)} />}
    </>
  );
}
