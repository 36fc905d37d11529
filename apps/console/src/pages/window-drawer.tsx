import * as Sheet from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';
import { AUDIT_KIND_LABELS } from '@cos/contracts/audit';
import { api } from '../api';
import { can, useSession } from '../session';
import { useLoad } from '../ui';
import { useFocusReturn } from '../dialog';
import { authorOf } from './version-author';
import type { Version } from './version-author';
import type { WindowRow } from './window-changes';
import type { Devices } from './window-devices';
import { StatusBadge } from './window-status';

/** An audit event of one window, as `/audit/list` answers it. */
interface WindowEvent {
  id: string;
  kind: string;
  actorId: number | null;
  actorEmail?: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

const auditKindLabel = (kind: string) => (AUDIT_KIND_LABELS as Record<string, string>)[kind] ?? kind;

export const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const when = (at: string) => new Date(at).toLocaleString();

/**
 * One window in a side sheet: what it is now, its roaming profile versions with their sizes and
 * last sync, its cookie count, and (for those who may read the audit log) what was done to it.
 */
export function WindowDrawer(props: {
  window: WindowRow;
  devices: Devices;
  proxy: string;
  actions: ReactNode;
  onRestore?: () => void;
  onClose: () => void;
  /** Moves with every change the cloud tells of: the versions and the activity are read again. */
  live: number;
}) {
  const me = useSession();
  const returnFocus = useFocusReturn();
  const { window: w } = props;
  const versions = useLoad(
    () => api<{ list: Version[]; current: number | null }>('/browser/profile/versions', { id: w.id }),
    [w.id, props.live],
  );
  const mayAudit = can(me, 'team:manage');
  const events = useLoad(
    () => (mayAudit ? api<{ list: WindowEvent[] }>('/audit/list', { windowId: w.id, pageSize: 20 }) : Promise.resolve({ list: [] })),
    [w.id, mayAudit, props.live],
  );
  const list = versions.data?.list ?? [];
  const current = list.find((v) => v.version === versions.data?.current);
  return (
    <Sheet.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Sheet.Portal>
        <Sheet.Overlay className="backdrop sheet-backdrop" />
        <Sheet.Content className="sheet" aria-describedby={undefined} onCloseAutoFocus={returnFocus}>
          <header>
            <Sheet.Title>{w.name}</Sheet.Title>
            <Sheet.Close aria-label="Close details">✕</Sheet.Close>
          </header>
          <p>
            <StatusBadge window={w} devices={props.devices} />
          </p>
          <div className="sheet-actions">{props.actions}</div>
          <dl className="facts">
            <dt>Group</dt>
            <dd>{w.groupName || 'No group'}</dd>
            <dt>Tags</dt>
            <dd>{w.tags.map((t) => t.name).join(', ') || 'None'}</dd>
            <dt>Proxy</dt>
            <dd>{props.proxy}</dd>
            <dt>Cookies kept</dt>
            <dd>{w.cookieCount}</dd>
            <dt>Last sync</dt>
            <dd>{current ? `${when(current.createdAt)}${authorOf(current)}` : 'Never: the first close on a device syncs the profile'}</dd>
            <dt>Created</dt>
            <dd>{when(w.createdAt)}</dd>
            {w.remark && (
              <>
                <dt>Remark</dt>
                <dd>{w.remark}</dd>
              </>
            )}
          </dl>
          <section aria-label="Profile versions">
            <h3>Profile versions</h3>
            {versions.error && <p className="refusal">{versions.error}</p>}
            {versions.data && list.length === 0 && <p>No version yet: closing the window on a device makes the first.</p>}
            {list.length > 0 && (
              <table aria-label={`Profile versions of ${w.name}`}>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Synced</th>
                    <th scope="col">Size</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((v) => (
                    <tr key={v.version}>
                      <td>
                        {v.version}
                        {v.version === versions.data?.current ? ' (current)' : ''}
                      </td>
                      <td className="wrap">
                        {when(v.createdAt)}
                        {authorOf(v)}
                      </td>
                      <td>
                        {megabytes(v.totalSize)}, {v.fileCount} files
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {props.onRestore && list.length > 1 && (
              <button type="button" onClick={props.onRestore}>
                Restore an earlier version…
              </button>
            )}
          </section>
          {mayAudit && (
            <section aria-label="Activity">
              <h3>Activity</h3>
              {events.data?.list.length === 0 && <p>Nothing recorded yet.</p>}
              <ul className="activity">
                {events.data?.list.map((e) => (
                  <li key={e.id}>
                    <time dateTime={e.createdAt}>{when(e.createdAt)}</time> — {auditKindLabel(e.kind)}
                    {e.actorEmail ? ` by ${e.actorEmail}` : e.actorId === null ? ' by the cloud' : ''}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </Sheet.Content>
      </Sheet.Portal>
    </Sheet.Root>
  );
}
