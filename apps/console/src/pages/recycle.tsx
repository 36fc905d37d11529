import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Pager, Table } from '../table';
import { ButtonRow, RunButton, Status, useAction, useLoad } from '../ui';
import type { WindowRow } from './window-changes';

const PAGE_SIZE = 100;

export function RecyclePage({ live }: { live: number }) {
  const me = useSession();
  const [page, setPage] = useState(0);
  const bin = useLoad(
    () => api<{ list: (WindowRow & { deletedAt: string })[]; total: number }>('/browser/recycle/list', { page, pageSize: PAGE_SIZE }),
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
          <RunButton run={run} what="Empty the recycle bin" action={() => api('/browser/recycle/clear')} after={bin.reload}>
            Empty the recycle bin
          </RunButton>
        </div>
      )}
      <Status text={status || bin.error} />
      {total === 0 && bin.data && <p>The recycle bin is empty.</p>}
      <Table
        label="Windows in the recycle bin"
        rows={bin.data?.list}
        rowId={(w) => w.id}
        columns={[
          { header: 'ID', cell: (w) => w.id },
          { header: 'Name', cell: (w) => w.name },
          { header: 'Group', cell: (w) => w.groupName },
          { header: 'Deleted', cell: (w) => new Date(w.deletedAt).toLocaleString() },
          {
            header: 'Actions',
            cell: (w) => (
              <ButtonRow>
                {mayRestore && (
                  <RunButton
                    run={run}
                    what={`Restore ${w.name}`}
                    action={() => api('/browser/recycle/restore', { ids: [w.id] })}
                    after={bin.reload}
                  >
                    Restore {w.name}
                  </RunButton>
                )}
                {mayPurge && (
                  <RunButton
                    run={run}
                    what={`Delete ${w.name} for good`}
                    action={() => api('/browser/recycle/delete', { ids: [w.id] })}
                    after={bin.reload}
                  >
                    Delete for good
                  </RunButton>
                )}
              </ButtonRow>
            ),
          },
        ]}
      />
      <Pager label="Pages of the recycle bin" page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage}>
        {total} windows
      </Pager>
    </>
  );
}
