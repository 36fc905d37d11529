import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Pager, Table } from '../table';
import { ConfirmButton } from '../confirm';
import { ButtonRow, Empty, RunButton, Status, useAction, useLoad } from '../ui';
import { plural } from '../words';
import type { WindowRow } from './window-changes';

const PAGE_SIZE = 100;
const DAY = 24 * 60 * 60 * 1000;

export function RecyclePage({ live }: { live: number }) {
  const me = useSession();
  const [page, setPage] = useState(0);
  const bin = useLoad(
    () =>
      api<{ list: (WindowRow & { deletedAt: string })[]; total: number; retentionDays: number }>('/browser/recycle/list', {
        page,
        pageSize: PAGE_SIZE,
      }),
    [page, live],
  );
  const { status, run } = useAction();
  const mayRestore = can(me, 'browser:recycle:restore');
  const mayPurge = can(me, 'browser:delete:permanent');
  const total = bin.data?.total ?? 0;
  const days = bin.data?.retentionDays;
  return (
    <>
      {mayPurge && total > 0 && (
        <div className="toolbar">
          <ConfirmButton
            run={run}
            danger
            what="Empty the recycle bin"
            title={`Delete ${plural(total, 'window')} for good?`}
            body={`Every window in the recycle bin (${plural(total, 'window')}) is deleted with its profile, cookies and versions. This cannot be undone.`}
            confirmLabel={`Delete ${plural(total, 'window')}`}
            action={() => api('/browser/recycle/clear')}
            options={{ done: `Deleted ${plural(total, 'window')} for good` }}
            after={bin.reload}
          >
            Empty the recycle bin
          </ConfirmButton>
        </div>
      )}
      {days !== undefined && (
        <p>
          A window stays here {plural(days, 'day')} after it was deleted, then it is deleted for good with its profile, cookies and
          versions.
        </p>
      )}
      <Status text={status || bin.error} />
      {total === 0 && bin.data ? (
        <Empty>
          The recycle bin is empty. Windows deleted from the Windows page wait here until they are restored or deleted for good.
        </Empty>
      ) : (
        <Table
          label="Windows in the recycle bin"
          rows={bin.data?.list}
          rowId={(w) => w.id}
          columns={[
            { header: 'ID', cell: (w) => w.id },
            { header: 'Name', cell: (w) => w.name },
            { header: 'Group', cell: (w) => w.groupName || '—' },
            { header: 'Deleted', cell: (w) => new Date(w.deletedAt).toLocaleString() },
            {
              header: 'Deleted for good on',
              cell: (w) => (days === undefined ? '' : new Date(Date.parse(w.deletedAt) + days * DAY).toLocaleDateString()),
            },
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
                      label={`Restore ${w.name}`}
                    >
                      Restore
                    </RunButton>
                  )}
                  {mayPurge && (
                    <ConfirmButton
                      run={run}
                      danger
                      what={`Delete ${w.name} for good`}
                      title={`Delete ${w.name} for good?`}
                      body={`Its profile and cookies are removed and cannot be restored.`}
                      confirmLabel="Delete for good"
                      action={() => api('/browser/recycle/delete', { ids: [w.id] })}
                      after={bin.reload}
                      label={`Delete ${w.name} for good`}
                    >
                      Delete for good
                    </ConfirmButton>
                  )}
                </ButtonRow>
              ),
            },
          ]}
        />
      )}
      <Pager label="Pages of the recycle bin" page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage}>
        {plural(total, 'window')}
      </Pager>
    </>
  );
}
