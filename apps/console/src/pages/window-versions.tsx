import { api } from '../api';
import { can, useSession } from '../session';
import { ConfirmButton } from '../confirm';
import { Status, useAction, useLoad } from '../ui';
import { Dialog } from '../dialog';
import { plural } from '../words';
import { authorOf } from './version-author';
import type { Version } from './version-author';
import type { WindowRow } from './window-changes';

/** The window's roaming profile versions, with restore for those who may edit. */
export function WindowVersions({ window: w, onClose }: { window: WindowRow; onClose: () => void }) {
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
            {v.version === versions.data?.current ? ' (current)' : ''} — {new Date(v.createdAt).toLocaleString()},{' '}
            {plural(v.fileCount, 'file')}, {(v.totalSize / 1048576).toFixed(1)} MB{authorOf(v)}
            {v.restoredFrom ? `, restored from ${v.restoredFrom}` : ''}{' '}
            {can(me, 'browser:update:single') && v.version !== versions.data?.current && (
              <ConfirmButton
                run={run}
                what={`Restore version ${v.version}`}
                title={`Restore version ${v.version} of ${w.name}?`}
                body={`The current profile (version ${versions.data?.current ?? '–'}) is replaced by version ${v.version} the next time ${w.name} opens. The current version stays listed, so this can be restored back.`}
                confirmLabel={`Restore version ${v.version}`}
                action={() => api('/browser/profile/restore', { id: w.id, version: v.version })}
                after={versions.reload}
              >
                Restore {v.version}
              </ConfirmButton>
            )}
          </li>
        ))}
      </ul>
      <Status text={status || versions.error} />
    </Dialog>
  );
}
