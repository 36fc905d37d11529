import { api } from '../api';
import { can, useSession } from '../session';
import { ConfirmButton } from '../confirm';
import { Table } from '../table';
import { Empty, Status, useAction, useLoad } from '../ui';

interface Schedule {
  id: number;
  taskId: number;
  cron: string;
  timezone: string;
  devices: string[];
  enabled: boolean;
  nextAt: string;
  lastFiredAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
}

/** Schedules: when each runs next, how its last tick went (a link to its run, or why it did not start). Set them with /schedule/set. */
export function SchedulesPage({ live }: { live: number }) {
  const me = useSession();
  const list = useLoad(() => api<{ list: Schedule[] }>('/schedule/list', { pageSize: 100 }), [live]);
  const tasks = useLoad(() => api<{ list: { id: number; name: string }[] }>('/task/list', { pageSize: 100 }), [live]);
  const { status, run } = useAction();
  const taskName = (id: number) => tasks.data?.list.find((t) => t.id === id)?.name ?? `task ${id}`;
  // Rows wait for the task names too, so a row never flashes "task 7" before it reads "Check price".
  const named = tasks.data || tasks.error ? list.data?.list : undefined;
  return (
    <>
      <Status text={status || list.error || tasks.error} />
      {list.data?.list.length === 0 ? (
        <Empty>No schedules yet. Open a task on the Tasks page and set a schedule (a cron line) under Run the task.</Empty>
      ) : (
        <Table
          label="Schedules"
          rows={named}
          rowId={(s) => s.id}
          columns={[
            { header: 'Task', cell: (s) => taskName(s.taskId) },
            { header: 'When', cell: (s) => `${s.cron} (${s.timezone})` },
            { header: 'Next', cell: (s) => (s.enabled ? new Date(s.nextAt).toLocaleString() : 'disabled') },
            {
              header: 'Last tick',
              cell: (s) =>
                s.lastError ? (
                  `not run: ${s.lastError}`
                ) : s.lastRunId ? (
                  <a href={`#/runs/${s.lastRunId}`}>its run</a>
                ) : s.lastFiredAt ? (
                  ''
                ) : (
                  'not yet'
                ),
            },
            {
              header: '',
              cell: (s) =>
                can(me, 'task:run') && (
                  <ConfirmButton
                    run={run}
                    danger
                    what="Delete schedule"
                    title={`Delete the schedule of ${taskName(s.taskId)}?`}
                    body={`${taskName(s.taskId)} no longer runs at ${s.cron} (${s.timezone}). The task itself and the runs the schedule started stay.`}
                    confirmLabel="Delete schedule"
                    action={() => api('/schedule/delete', { id: s.id })}
                    after={list.reload}
                  >
                    Delete schedule of {taskName(s.taskId)}
                  </ConfirmButton>
                ),
            },
          ]}
        />
      )}
    </>
  );
}
