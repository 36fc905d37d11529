import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Status, useAction, useLoad } from '../ui';
import type { WindowRow } from './window-changes';

export function RecyclePage({ live }: { live: number }) {
  const me = useSession();
  const [page, setPage] = useState(0);
  const bin = useLoad(
    () => api<{ list: (WindowRow & { deletedAt: string })[]; total: number }>('/browser/recycle/list', { page, pageSize: 100 }),
    [page, live],
  );
  const { status, run } = useAction();
  const mayRestore = can(me, 'browser:recycle:restore');
  const mayPurge = can(me, 'browser:delete:permanent');
  const total = bin.data?.total ?? 0;
  return (
    <>
      {mayPurge && total > 0 && (
        <div className="toolbar">
          <button type="button" onClick={() => void run('Empty the recycle bin', () => api('/browser/recycle/clear')).then(bin.reload)}>
            Empty the recycle bin
          </button>
        </div>
      )}
      <Status text={status || bin.error} />
      {total === 0 && bin.data && <p>The recycle bin is empty.</p>}
      <div className="table-wrap">
        <table aria-label="Windows in the recycle bin">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Name</th>
              <th scope="col">Group</th>
              <th scope="col">Deleted</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {bin.data?.list.map((w) => (
              <tr key={w.id}>
                <td>{w.id}</td>
                <td>{w.name}</td>
                <td>{w.groupName}</td>
                <td>{new Date(w.deletedAt).toLocaleString()}</td>
                <td>
                  {mayRestore && (
                    <button
                      type="button"
                      onClick={() => void run(`Restore ${w.name}`, () => api('/browser/recycle/restore', { ids: [w.id] })).then(bin.reload)}
                    >
                      Restore {w.name}
                    </button>
                  )}{' '}
                  {mayPurge && (
                    <button
                      type="button"
                      onClick={() =>
                        void run(`Delete ${w.name} for good`, () => api('/browser/recycle/delete', { ids: [w.id] })).then(bin.reload)
                      }
                    >
                      Delete for good
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages of the recycle bin">
        <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
          Previous
        </button>
        <span>{total} windows</span>
        <button type="button" disabled={(page + 1) * 100 >= total} onClick={() => setPage((p) => p + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}
