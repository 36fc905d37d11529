import { useEffect, useState } from 'react';
import { api, image } from '../api';
import { can, useSession } from '../session';
import { Table } from '../table';
import { ButtonRow, Empty, RunButton, Status, useAction, useLoad } from '../ui';
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
  log: { ms: number; text: string }[] | null;
  shots: { id: string; step: number | null; width: number; height: number; size: number }[];
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

/** A run screenshot, fetched with the token and shown from memory; a link opens it full size. */
function Shot({ shot, window }: { shot: WindowRun['shots'][number]; window: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let made: string | null = null;
    let live = true;
    void image(`/run/shot?id=${shot.id}`).then((blob) => {
      if (!live) return;
      if (!blob) return setMissing(true);
      made = URL.createObjectURL(blob);
      setUrl(made);
    });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [shot.id]);
  const label = `${window}, ${shot.step === null ? 'screenshot' : `step ${shot.step}`} (${shot.width}×${shot.height})`;
  if (missing) return <p>{label}: no longer kept.</p>;
  return (
    <figure className="shot">
      {url ? (
        <a href={url} target="_blank" rel="noreferrer">
          <img src={url} alt={label} width={240} />
        </a>
      ) : (
        <span>Loading…</span>
      )}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** A window run's screenshots and the log its device told. */
function WindowRecord({ w }: { w: WindowRun }) {
  const name = `${w.windowName} (${w.windowId})`;
  if (w.shots.length === 0 && !w.log?.length) return null;
  return (
    <details>
      <summary>
        {name}: {w.shots.length} screenshot{w.shots.length === 1 ? '' : 's'}, {w.log?.length ?? 0} log lines
      </summary>
      <div className="shots">
        {w.shots.map((s) => (
          <Shot key={s.id} shot={s} window={name} />
        ))}
      </div>
      {w.log && (
        <ol className="run-log" aria-label={`Log of ${name}`}>
          {w.log.map((line, i) => (
            <li key={i}>
              <code>{(line.ms / 1000).toFixed(1)} s</code> {line.text}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}

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
          <h3>Screenshots and logs</h3>
          {data.windows.some((w) => w.shots.length > 0 || w.log?.length) ? (
            data.windows.map((w) => <WindowRecord key={w.windowId} w={w} />)
          ) : (
            <p>None yet: add a screenshot step to the task; a failed step is photographed on its own.</p>
          )}
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
      {runs.data?.list.length === 0 ? (
        <Empty>No runs yet. Open a task on the Tasks page, pick its windows and press Run.</Empty>
      ) : (
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
      )}
    </>
  );
}
