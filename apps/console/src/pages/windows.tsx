import { lazy, Suspense, useCallback, useState } from 'react';
import { api } from '../api';
import { ColumnChooser, useColumnChoice } from '../column-chooser';
import { can, useSession } from '../session';
import { Status, useAction, useLoad } from '../ui';
import { VirtualTable } from '../virtual-table';
import type { ListColumn, ListSort } from '../virtual-table';
import { BulkAssign, ProxyCell, proxyText, TagsCell } from './window-assign';
import type { SavedProxyName } from './window-assign';
import { WindowBatchBar } from './window-batch';
import type { Named, WindowRow } from './window-changes';
import { CloseOnDevice, DevicePicker, OpenOnDevice, useDevices } from './window-devices';
import { StatusBadge, WindowDrawer } from './window-drawer';
import { exportWindows } from './window-export';
import { NO_FILTERS, WindowFilters, windowListQuery } from './window-filters';
import { WindowForm } from './window-form';
import { useWindowRows } from './window-rows';
import { WindowVersions } from './window-versions';
import { download } from './csv';

// The import dialog (and its CSV parser) is loaded when first opened.
const WindowImportDialog = lazy(() => import('./window-import').then((m) => ({ default: m.WindowImportDialog })));

const NEWEST_FIRST: ListSort = { by: 'createdAt', order: 'desc' };
const windowsWord = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'window' : 'windows'}`;

/**
 * The windows page: filters, the toolbar, the bar over the selected windows, and every window of
 * the filtered list in one scrolling table (rows load as they come on screen), with a side sheet
 * of one window's details, its edit form and its profile versions.
 */
export function WindowsPage({ live }: { live: number }) {
  const me = useSession();
  const [filters, setFilters] = useState(NO_FILTERS);
  const [sort, setSort] = useState<ListSort>(NEWEST_FIRST);
  const [selected, setSelected] = useState<Map<number, WindowRow>>(new Map());
  const [editing, setEditing] = useState<WindowRow | 'new' | null>(null);
  const [versionsOf, setVersionsOf] = useState<WindowRow | null>(null);
  const [shown, setShown] = useState<number | null>(null);
  const [importing, setImporting] = useState(false);
  const { status, run } = useAction();

  const { page: _page, pageSize: _size, ...filtered } = windowListQuery(filters, 0, 1);
  const query = sort === NEWEST_FIRST ? filtered : { ...filtered, sortBy: sort.by, sortOrder: sort.order };
  const rows = useWindowRows(query, live);
  const groups = useLoad(() => api<{ list: Named[] }>('/group/list', { pageSize: 100 }), [live]);
  const tags = useLoad(() => api<{ list: Named[] }>('/tag/list', { pageSize: 100 }), [live]);
  const mayProxies = can(me, 'proxy:manage');
  const saved = useLoad(
    () => (mayProxies ? api<{ list: SavedProxyName[] }>('/proxy/list', { pageSize: 100 }) : Promise.resolve(null)),
    [live, mayProxies],
  );
  const mayEdit = can(me, 'browser:update:single');
  const mayOpen = can(me, 'browser:open');
  const devices = useDevices(live);
  const total = rows.total ?? 0;
  const after = rows.reload;
  const choice = useColumnChoice(
    'cos.console.windowColumns',
    ['group', 'tags', 'proxy', 'status', 'cookies', 'created', 'remark'],
    ['cookies'],
  );
  const onRange = useCallback((first: number, last: number) => rows.ensure(first, last), [rows.ensure]);
  // The selection keeps rows as they were chosen; a window shown in the sheet is read as loaded now.
  const current = (id: number) => rows.loaded().find((w) => w.id === id);
  const shownWindow = shown === null ? undefined : current(shown);
  const picked = [...selected.values()];
  const toggle = (w: WindowRow, on: boolean) =>
    setSelected((old) => {
      const next = new Map(old);
      if (on) next.set(w.id, w);
      else next.delete(w.id);
      return next;
    });
  const loaded = rows.loaded();
  const allPicked = loaded.length > 0 && loaded.every((w) => selected.has(w.id));

  const openClose = (w: WindowRow, short: boolean) =>
    mayOpen &&
    (w.openStatus === 'closed' ? (
      <OpenOnDevice ids={[w.id]} devices={devices} run={run} after={after} label={`Open ${w.name}`} text={short ? 'Open' : undefined} />
    ) : (
      <CloseOnDevice windows={[w]} devices={devices} run={run} after={after} label={`Close ${w.name}`} text={short ? 'Close' : undefined} />
    ));
  const actions = (w: WindowRow) => (
    <span className="row-actions">
      {openClose(w, true)}
      {mayEdit && (
        <button type="button" aria-label={`Edit ${w.name}`} onClick={() => setEditing(w)}>
          Edit
        </button>
      )}
    </span>
  );

  const columns: ListColumn<WindowRow>[] = [
    {
      id: 'name',
      header: 'Name',
      sortBy: 'name',
      cell: (w) => (
        <button type="button" className="link" onClick={() => setShown(w.id)}>
          {w.name}
        </button>
      ),
    },
    { id: 'status', header: 'Status', cell: (w) => <StatusBadge window={w} devices={devices} /> },
    { id: 'group', header: 'Group', cell: (w) => w.groupName || '—' },
    { id: 'tags', header: 'Tags', cell: (w) => <TagsCell window={w} tags={tags.data?.list} mayChange={mayEdit} run={run} after={after} /> },
    {
      id: 'proxy',
      header: 'Proxy',
      cell: (w) => <ProxyCell window={w} saved={saved.data?.list} mayChange={mayEdit} run={run} after={after} />,
    },
    { id: 'cookies', header: 'Cookies', cell: (w) => w.cookieCount },
    { id: 'created', header: 'Created', sortBy: 'createdAt', cell: (w) => new Date(w.createdAt).toLocaleDateString() },
    { id: 'remark', header: 'Remark', cell: (w) => <span className="clip">{w.remark}</span> },
    { id: 'actions', header: 'Actions', cell: actions },
  ];
  const choosable = columns.filter((c) => c.id !== 'name' && c.id !== 'actions');

  return (
    <>
      <WindowFilters
        value={filters}
        onChange={setFilters}
        groups={groups.data?.list}
        tags={tags.data?.list}
        onNew={can(me, 'browser:create:single') ? () => setEditing('new') : undefined}
      />
      <section className="toolbar" aria-label="Windows tools">
        {can(me, 'browser:create:single') && (
          <button type="button" onClick={() => setImporting(true)}>
            Import windows…
          </button>
        )}
        <button
          type="button"
          onClick={() => void run('Export', async () => download('windows.csv', await exportWindows(query, () => undefined)))}
        >
          Export CSV
        </button>
        <ColumnChooser columns={choosable} shows={choice.shows} toggle={choice.toggle} />
        {mayOpen && <DevicePicker devices={devices} />}
      </section>
      {importing && (
        <Suspense fallback={<p className="status">Loading…</p>}>
          <WindowImportDialog onClose={() => setImporting(false)} onImported={after} />
        </Suspense>
      )}
      {picked.length > 0 && (
        <section className="toolbar selection" aria-label="Open, close and assign the selected windows">
          {mayOpen && (
            <>
              <OpenOnDevice
                ids={picked.map((w) => w.id)}
                devices={devices}
                run={run}
                after={after}
                label={`Open ${picked.length} selected`}
              />
              <CloseOnDevice
                windows={picked.filter((w) => w.openStatus !== 'closed')}
                devices={devices}
                run={run}
                after={after}
                label={`Close ${picked.length} selected`}
              />
            </>
          )}
          {(picked.length === 1 ? mayEdit : can(me, 'browser:update:batch')) && (
            <BulkAssign windows={picked} tags={tags.data?.list} saved={saved.data?.list ?? undefined} run={run} after={after} />
          )}
          <button type="button" onClick={() => setSelected(new Map())}>
            Clear selection
          </button>
        </section>
      )}
      <WindowBatchBar
        ids={picked.map((w) => w.id)}
        groups={groups.data?.list}
        mayChange={picked.length === 1 ? mayEdit : can(me, 'browser:update:batch')}
        mayDelete={can(me, 'browser:delete:recycle')}
        run={run}
        after={() => (setSelected(new Map()), after())}
      />
      <Status text={status || rows.error} />
      <p className="count" aria-live="polite">
        {rows.total === null ? 'Loading windows…' : windowsWord(total)}
        {picked.length > 0 ? `, ${picked.length.toLocaleString()} selected` : ''}
      </p>
      <VirtualTable
        label="Windows"
        total={total}
        rowAt={rows.rowAt}
        rowKey={(w) => w.id}
        columns={columns.filter((c) => c.id === 'name' || c.id === 'actions' || choice.shows(c.id))}
        onRange={onRange}
        sort={sort}
        onSort={setSort}
        resetKey={JSON.stringify(query)}
        select={{
          header: (
            <input
              type="checkbox"
              aria-label="Select all loaded windows"
              checked={allPicked}
              onChange={(e) => setSelected(e.target.checked ? new Map(loaded.map((w) => [w.id, w])) : new Map())}
            />
          ),
          cell: (w) => (
            <input
              type="checkbox"
              aria-label={`Select ${w.name}`}
              checked={selected.has(w.id)}
              onChange={(e) => toggle(w, e.target.checked)}
            />
          ),
        }}
        empty={
          rows.total === 0 &&
          (JSON.stringify(filters) === JSON.stringify(NO_FILTERS) ? (
            <p>
              No windows yet. Make one with New window, or bring yours from a CSV or an AdsPower or BitBrowser export with Import windows….
            </p>
          ) : (
            <p>No window matches these filters. Clear the search or choose another group, tag or status.</p>
          ))
        }
      />

      {shownWindow && (
        <WindowDrawer
          window={shownWindow}
          devices={devices}
          proxy={proxyText(shownWindow, saved.data?.list)}
          actions={
            <>
              {openClose(shownWindow, false)}
              {mayEdit && (
                <button type="button" onClick={() => (setShown(null), setEditing(shownWindow))}>
                  Edit {shownWindow.name}
                </button>
              )}
            </>
          }
          onRestore={mayEdit ? () => (setShown(null), setVersionsOf(shownWindow)) : undefined}
          onClose={() => setShown(null)}
          live={live}
        />
      )}
      {editing && (
        <WindowForm
          window={editing === 'new' ? null : editing}
          groups={groups.data?.list ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => (setEditing(null), after())}
        />
      )}
      {versionsOf && <WindowVersions window={versionsOf} onClose={() => setVersionsOf(null)} />}
    </>
  );
}
