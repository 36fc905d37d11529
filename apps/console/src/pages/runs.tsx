import { api } from '../api';
import { can, useSession } from '../session';
import { Table } from '../table';
import { ButtonRow, RunButton, Status, useAction, useLoad } from '../ui';
import { download, toCsv } from './csv';

interface RunSummary {
  id: string;
  taskName: string;
  taskVersion: number;
  status: string;
  devices: string[];
  concurrency: number;
  variables: Record<string, string>;
  secretNames: string[];
  counts: Record<string, number>;
  createdAt: string;
  finishedAt: string | null;
}
interface WindowRun {
  windowId: number;
  windowName: string;
  deviceId: string | null;
  status: string;
  attempt: number;
  results: { index: number; type: string; ok: boolean; ms: number }[] | null;
  captured: Record<string, unknown> | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const counted = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
const seconds = (w: WindowRun) =>
  w.startedAt && w.finishedAt ? `${((Date.parse(w.finishedAt) - Date.parse(w.startedAt)) / 1000).toFixed(1)} s` : '';
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** One run: each window's status and timings, the values captured as a table (CSV export), cancel and retry. */
function RunDetail({ id, live }: { id: string; live: number }) {
  const me = useSession();
  const run = useLoad(() => api<RunSummary & { windows: WindowRun[] }>('/run/detail', { id }), [id, live]);
  const { status, run: act } = useAction();
  const data = run.data;
  const names = [...new Set((data?.windows ?? []).flatMap((w) => Object.keys(w.captured ?? {})))];
  return (
    <section aria-label="Run">
      <Status text={status || run.error} />
      {data && (
        <>
          <h2>
            {data.taskName} (version {data.taskVersion}): {data.status}
          </h2>
          <p>
            {counted(data.counts)}; {data.concurrency} at once on {data.devices.join(', ')}. Variables:{' '}
            {Object.keys(data.variables).join(', ') || 'none'}; secrets: {data.secretNames.join(', ') || 'none'} (never shown).
          </p>
          <ButtonRow>
            <a href="#/runs">All runs</a>
            {can(me, 'task:run') && data.status === 'running' && (
              <RunButton run={act} what="Cancel run" action={() => api('/run/cancel', { id })} after={run.reload}>
                Cancel run
              </RunButton>
            )}
            {can(me, 'task:run') && data.status !== 'running' && data.status !== 'succeeded' && (
              <RunButton run={act} what="Retry what did not succeed" action={() => api('/run/retry', { id })} after={run.reload}>
                Retry what did not succeed
              </RunButton>
            )}
          </ButtonRow>
          <Table
            label="Windows of the run"
            rows={data.windows}
            rowId={(w) => w.windowId}
            columns={[
              { header: 'Window', cell: (w) => `${w.windowName} (${w.windowId})` },
              { header: 'Device', cell: (w) => w.deviceId ?? '—' },
              { header: 'Status', cell: (w) => w.status },
              { header: 'Attempt', cell: (w) => w.attempt },
              { header: 'Steps', cell: (w) => (w.results ? `${w.results.filter((r) => r.ok).length} done` : '') },
              { header: 'Took', cell: seconds },
              { header: 'Error', cell: (w) => w.error ?? '' },
            ]}
          />
          <h3>Captured values</h3>
          {names.length === 0 ? (
            <p>None.</p>
          ) : (
            <>
              <button
                type="button"
                onClick={() =>
                  download(
                    `run-${id}.csv`,
                    toCsv(
                      ['window', ...names],
                      data.windows.map((w) => [w.windowId, ...names.map((n) => w.captured?.[n])]),
                    ),
                  )
                }
              >
                Export CSV
              </button>
              <Table
                label="Captured values"
                rows={data.windows.filter((w) => w.captured)}
                rowId={(w) => w.windowId}
                columns={[
                  { header: 'Window', cell: (w) => w.windowId },
                  ...names.map((n) => ({ header: n, cell: (w: WindowRun) => text(w.captured?.[n] ?? '') })),
                ]}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}

/** Runs: the caller's (every member's for team:manage), live from run events; one opens at #/runs/ID. */
export function RunsPage({ live }: { live: number }) {
  const open = /^runs\/([0-9a-f-]{36})$/.exec(location.hash.replace(/^#\/?/, ''))?.[1];
  const runs = useLoad(() => api<{ list: RunSummary[] }>('/run/list', { pageSize: 50 }), [live]);
  if (open) return <RunDetail id={open} live={live} />;
  return (
    <>
      <Status text={runs.error} />
      <Table
        label="Runs"
        rows={runs.data?.list}
        rowId={(r) => r.id}
        columns={[
          { header: 'Task', cell: (r) => <a href={`#/runs/${r.id}`}>{r.taskName}</a> },
          { header: 'Status', cell: (r) => r.status },
          { header: 'Windows', cell: (r) => counted(r.counts) },
          { header: 'Started', cell: (r) => new Date(r.createdAt).toLocaleString() },
          { header: 'Ended', cell: (r) => (r.finishedAt ? new Date(r.finishedAt).toLocaleString() : '') },
        ]}
      />
    </>
  );
}
