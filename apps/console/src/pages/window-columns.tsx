import type { ReactNode } from 'react';
import type { Run } from '../ui';
import type { ListColumn } from '../virtual-table';
import { proxyText } from './saved-proxy';
import type { SavedProxyName } from './saved-proxy';
import { ProxyCell, TagsCell } from './window-assign';
import type { Named, WindowRow } from './window-changes';
import type { Devices } from './window-devices';
import { StatusBadge, statusOf } from './window-status';

const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** What the windows table's cells need besides their window. */
export interface WindowCellsContext {
  devices: Devices;
  tags: Named[] | undefined;
  saved: SavedProxyName[] | undefined;
  mayEdit: boolean;
  run: Run;
  after: () => void;
  openClose: (w: WindowRow) => ReactNode;
  onShow: (w: WindowRow) => void;
  onEdit: (w: WindowRow) => void;
}

/**
 * The windows table's columns: each with its width (the table lays out by them), the field it
 * sorts by where the cloud can sort, its cell, and the plain text drawn while the list flies by.
 */
export function windowColumns(ctx: WindowCellsContext): ListColumn<WindowRow>[] {
  const { devices, tags, saved, mayEdit, run, after } = ctx;
  const actions = (w: WindowRow) => (
    <span className="row-actions">
      {ctx.openClose(w)}
      {mayEdit && (
        <button type="button" aria-label={`Edit ${w.name}`} onClick={() => ctx.onEdit(w)}>
          Edit
        </button>
      )}
    </span>
  );

  return [
    {
      id: 'name',
      width: '12rem',
      header: 'Name',
      sortBy: 'name',
      text: (w) => w.name,
      cell: (w) => (
        <button type="button" className="link" onClick={() => ctx.onShow(w)}>
          {w.name}
        </button>
      ),
    },
    {
      id: 'status',
      width: '11rem',
      header: 'Status',
      text: (w) => statusOf(w, devices).text,
      cell: (w) => <StatusBadge window={w} devices={devices} />,
    },
    { id: 'group', width: '8rem', header: 'Group', text: (w) => w.groupName || '—', cell: (w) => w.groupName || '—' },
    {
      id: 'tags',
      width: '10rem',
      header: 'Tags',
      text: (w) => w.tags.map((t) => t.name).join(', '),
      cell: (w) => <TagsCell window={w} tags={tags} mayChange={mayEdit} run={run} after={after} />,
    },
    {
      id: 'proxy',
      width: '13rem',
      header: 'Proxy',
      text: (w) => proxyText(w, saved),
      cell: (w) => <ProxyCell window={w} saved={saved} mayChange={mayEdit} run={run} after={after} />,
    },
    { id: 'cookies', width: '5.5rem', header: 'Cookies', text: (w) => w.cookieCount, cell: (w) => w.cookieCount },
    {
      id: 'created',
      width: '7.5rem',
      header: 'Created',
      sortBy: 'createdAt',
      text: (w) => DAY.format(new Date(w.createdAt)),
      cell: (w) => DAY.format(new Date(w.createdAt)),
    },
    { id: 'remark', header: 'Remark', text: (w) => w.remark, cell: (w) => <span className="clip">{w.remark}</span> },
    { id: 'actions', width: '9.5rem', header: 'Actions', cell: actions, pinEnd: true },
  ];
}
