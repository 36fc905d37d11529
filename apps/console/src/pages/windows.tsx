import { lazy, Suspense, useCallback, useRef, useState } from 'react';
import type { MeResponse } from '@cos/contracts';
import { api } from '../api';
import { ColumnChooser, useColumnChoice } from '../column-chooser';
import { can, useSession } from '../session';
import { Status, useAction, useLoad } from '../ui';
import { VirtualTable } from '../virtual-table';
import type { ListSort } from '../virtual-table';
import { proxyText } from './saved-proxy';
import type { SavedProxyName } from './saved-proxy';
import { windowColumns } from './window-columns';
import type { Named, WindowRow } from './window-changes';
import { CloseOnDevice, DevicePicker, OpenOnDevice, useDevices } from './window-devices';
import { exportWindows } from './window-export';
import { NO_FILTERS, WindowFilters, windowListQuery } from './window-filters';
import { useWindowRows } from './window-rows';
import { download } from './csv';

// What the list itself does not show is loaded when first used: the dialogs and the sheet (Radix
// dialog), the import (its CSV parser), the bars over a selection (Radix menus, confirmations).
const WindowImportDialog = lazy(() => import('./window-import').then((m) => ({ default: m.WindowImportDialog })));
const WindowForm = lazy(() => import('./window-form').then((m) => ({ default: m.WindowForm })));
const WindowDrawer = lazy(() => import('./window-drawer').then((m) => ({ default: m.WindowDrawer })));
const WindowVersions = lazy(() => import('./window-versions').then((m) => ({ default: m.WindowVersions })));
const WindowBatchBar = lazy(() => import('./window-batch').then((m) => ({ default: m.WindowBatchBar })));
const BulkAssign = lazy(() => import('./window-menus').then((m) => ({ default: m.BulkAssign })));

const NEWEST_FIRST: ListSort = { by: 'createdAt', order: 'desc' };
const windowsWord = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'window' : 'windows'}`;

/**
 * The windows page: filters, the toolbar, the bar over the selected windows, and every window of
 * the filtered list in one scrolling table (rows load as they come on screen), with a side sheet
 * of one window's details, its edit form and its profile versions.
 */
/** The empty list's next step, as this caller can take it. */
function noWindowsYet(me: MeResponse): string {
  if (can(me, 'browser:create:single'))
    return 'No windows yet. Make one with New window, or bring yours from a CSV or an AdsPower or BitBrowser export with Import windows….';
  if (me.scope === 'groups' && me.groupIds.length === 0)
    return 'You see the windows of the groups chosen for you, and none is chosen yet. Ask a team admin to give you groups on the Members page.';
  return 'No windows yet. They show here as teammates who may create windows add them.';
}

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
  // The lists the rows' controls use are asked for once the first rows came: nothing competes with them.
  const listed = rows.total !== null;
  const after1st = <T,>(load: () => Promise<T>) => (listed ? load() : Promise.resolve(null));
  const groups = useLoad(() => after1st(() => api<{ list: Named[] }>('/group/list', { pageSize: 100 })), [live, listed]);
  const tags = useLoad(() => after1st(() => api<{ list: Named[] }>('/tag/list', { pageSize: 100 })), [live, listed]);
  const mayProxies = can(me, 'proxy:manage');
  const saved = useLoad(
    () => after1st(() => (mayProxies ? api<{ list: SavedProxyName[] }>('/proxy/list', { pageSize: 100 }) : Promise.resolve(null))),
    [live, mayProxies, listed],
  );
  const mayEdit = can(me, 'browser:update:single');
  const mayOpen = can(me, 'browser:open');
  const devices = useDevices(live, listed);
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
  // One window is changed with the single-window permission, several with the batch one.
  const mayChangePicked = picked.length === 1 ? mayEdit : can(me, 'browser:update:batch');
  // The batch bar (loaded with the first selection) stays mounted once shown: what was chosen in it stays.
  const everPicked = useRef(false);
  if (picked.length > 0) everPicked.current = true;
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
  const columns = windowColumns({
    devices,
    tags: tags.data?.list,
    saved: saved.data?.list,
    mayEdit,
    run,
    after,
    openClose: (w) => openClose(w, true),
    onShow: (w) => setShown(w.id),
    onEdit: setEditing,
  });
  const choosable = columns.filter((c) => c.id !== 'name' && c.id !== 'actions');
  const shownColumns = columns.filter((c) => c.id === 'name' || c.id === 'actions' || choice.shows(c.id));
  // Everything the cells show besides their window: a row is drawn again when one of these changes.
  const cellsVersion = JSON.stringify([
    shownColumns.map((c) => c.id),
    devices.list.map((d) => [d.deviceId, d.hostname, d.online]),
    devices.device?.deviceId,
    tags.data?.list,
    saved.data?.list.map((p) => [p.id, p.name, p.proxyType, p.host, p.port]),
    mayEdit,
    mayOpen,
  ]);

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
      {/* One box for everything done to the selection: open, close, assign, then group, remark and delete. */}
      <div className={picked.length > 0 ? 'selection' : undefined}>
        {picked.length > 0 && (
          <section className="toolbar" aria-label="Open, close and assign the selected windows">
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
            {mayChangePicked && (
              <Suspense fallback={null}>
                <BulkAssign windows={picked} tags={tags.data?.list} saved={saved.data?.list ?? undefined} run={run} after={after} />
              </Suspense>
            )}
            <button type="button" onClick={() => setSelected(new Map())}>
              Clear selection
            </button>
          </section>
        )}
        {everPicked.current && (
          <Suspense fallback={null}>
            <WindowBatchBar
              ids={picked.map((w) => w.id)}
              names={picked.map((w) => w.name)}
              groups={groups.data?.list}
              mayChange={mayChangePicked}
              mayDelete={can(me, 'browser:delete:recycle')}
              proxyMenu={Boolean(saved.data?.list)}
              run={run}
              after={() => (setSelected(new Map()), after())}
            />
          </Suspense>
        )}
      </div>
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
        columns={shownColumns}
        cellsVersion={cellsVersion}
        isSelected={(w) => selected.has(w.id)}
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
            <p>{noWindowsYet(me)}</p>
          ) : (
            <p>No window matches these filters. Clear the search or choose another group, tag or status.</p>
          ))
        }
      />

      <Suspense fallback={null}>
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
      </Suspense>
    </>
  );
}
