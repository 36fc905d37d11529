// The step list alone: the package's index carries server-side checks (a public-suffix list) the console has no use for.
import { STEP_TYPES } from '@cos/contracts/task-steps';
import type { DeviceView } from '@cos/contracts';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { ConfirmButton } from '../confirm';
import { Table } from '../table';
import { ButtonRow, Empty, Field, RunButton, Status, useAction, useLoad } from '../ui';
import type { Variable } from './variables';

interface Task {
  id: number;
  name: string;
  description: string;
  steps: Record<string, unknown>[];
  variables: string[];
  timeoutMs: number;
  retries: number;
  version: number;
  updatedAt: string;
}
interface TaskVersion {
  version: number;
  name: string;
  steps: unknown[];
  savedAt: string;
}

/** A step of each type to start from, as the step editor's action list inserts it. */
const STARTERS: Record<(typeof STEP_TYPES)[number], Record<string, unknown>> = {
  navigate: { type: 'navigate', url: 'https://example.com/' },
  click: { type: 'click', selector: 'button' },
  type: { type: 'type', selector: 'input', text: '{{text}}' },
  press: { type: 'press', key: 'Enter' },
  scroll: { type: 'scroll', y: 600 },
  select: { type: 'select', selector: 'select', values: ['value'] },
  wait: { type: 'wait', selector: '#ready' },
  eval: { type: 'eval', code: 'document.title', as: 'title' },
  extract: { type: 'extract', selector: 'h1', as: 'heading' },
  screenshot: { type: 'screenshot', fullPage: false },
};

/** `name=value` lines as an object (the value may hold '='). */
function pairs(text: string): Record<string, string> {
  const entries: [string, string][] = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf('=');
      return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1)];
    });
  return Object.fromEntries(entries);
}

/** The step editor: steps as JSON, with a button per step type that appends one. */
function StepEditor({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  const add = (type: (typeof STEP_TYPES)[number]) => {
    let steps: unknown[];
    try {
      steps = JSON.parse(value || '[]') as unknown[];
    } catch {
      return;
    }
    onChange(JSON.stringify([...steps, STARTERS[type]], null, 2));
  };
  return (
    <>
      <div className="toolbar" aria-label="Add a step">
        {STEP_TYPES.map((type) => (
          <button key={type} type="button" onClick={() => add(type)}>
            + {type}
          </button>
        ))}
      </div>
      <Field label="Steps (JSON)">
        <textarea rows={12} cols={80} spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />
      </Field>
    </>
  );
}

/** Starts a run of the task: windows of a group (or by id), on chosen devices, with variables and secrets. */
function RunForm({ task, onStarted }: { task: Task; onStarted: (id: string) => void }) {
  const devices = useLoad(() => api<{ list: DeviceView[] }>('/device/list'), []);
  const team = useLoad(() => api<{ list: Variable[] }>('/variable/list'), []);
  const kept = task.variables.filter((name) => team.data?.list.some((v) => v.name === name));
  const [chosen, setChosen] = useState<string[]>([]);
  const [windowIds, setWindowIds] = useState('');
  const [concurrency, setConcurrency] = useState(2);
  const [variables, setVariables] = useState('');
  const [secrets, setSecrets] = useState('');
  const [cron, setCron] = useState('0 9 * * 1-5');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const { status, run } = useAction();
  const body = () => ({
    taskId: task.id,
    windowIds: windowIds
      .split(',')
      .map((s) => Number(s.trim()))
      .filter(Boolean),
    devices: chosen,
    concurrency,
    variables: pairs(variables),
    secrets: pairs(secrets),
  });
  return (
    <section aria-label="Run the task">
      <h3>Run {task.name}</h3>
      <p>
        Variables it needs: {task.variables.join(', ') || 'none'}.
        {kept.length > 0 && ` Kept by the team (type them only to replace the team's value): ${kept.join(', ')}.`}
      </p>
      <fieldset>
        <legend>Devices</legend>
        {devices.data?.list.map((d) => (
          <label key={d.deviceId}>
            <input
              type="checkbox"
              checked={chosen.includes(d.deviceId)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, d.deviceId] : chosen.filter((x) => x !== d.deviceId))}
            />
            {d.hostname} ({d.online ? 'online' : 'offline'})
          </label>
        ))}
      </fieldset>
      <Field label="Window ids (comma separated)">
        <input value={windowIds} onChange={(e) => setWindowIds(e.target.value)} />
      </Field>
      <Field label="At once">
        <input type="number" min={1} max={50} value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))} />
      </Field>
      <Field label="Variables (name=value per line)">
        <textarea rows={3} value={variables} onChange={(e) => setVariables(e.target.value)} />
      </Field>
      <Field label="Secrets (name=value per line, never shown again)">
        <textarea rows={2} value={secrets} autoComplete="off" onChange={(e) => setSecrets(e.target.value)} />
      </Field>
      <RunButton
        run={run}
        what="Start run"
        action={async () => {
          const started = await api<{ id: string }>('/run/start', body());
          setSecrets('');
          onStarted(started.id);
        }}
      >
        Start run
      </RunButton>
      <Field label="Schedule (cron: minute hour day month weekday)">
        <input value={cron} onChange={(e) => setCron(e.target.value)} />
      </Field>
      <Field label="Time zone">
        <input value={timezone} onChange={(e) => setTimezone(e.target.value)} />
      </Field>
      <RunButton
        run={run}
        what="Save schedule"
        action={() => api('/schedule/set', { ...body(), cron, timezone }).then(() => setSecrets(''))}
      >
        Save schedule
      </RunButton>
      <Status text={status || devices.error} />
    </section>
  );
}

/** Saved tasks: the list, a new task, the step editor with its versions, and starting a run. */
export function TasksPage({ live }: { live: number }) {
  const me = useSession();
  const may = can(me, 'task:manage');
  const tasks = useLoad(() => api<{ list: Task[]; total: number }>('/task/list', { pageSize: 100 }), [live]);
  const [openId, setOpenId] = useState<number | null>(null);
  const task = tasks.data?.list.find((t) => t.id === openId) ?? null;
  const versions = useLoad(
    () => (openId ? api<{ list: TaskVersion[] }>('/task/versions', { id: openId, pageSize: 50 }) : Promise.resolve({ list: [] })),
    [openId, live],
  );
  const [name, setName] = useState('');
  const [steps, setSteps] = useState('[]');
  const { status, run } = useAction();
  useEffect(() => {
    if (task) setSteps(JSON.stringify(task.steps, null, 2));
  }, [task?.id, task?.version]);
  const parsed = () => JSON.parse(steps) as unknown;
  return (
    <>
      <Status text={status || tasks.error} />
      {tasks.data?.list.length === 0 ? (
        <Empty>
          No tasks yet.
          {may ? ' Create one with New task below: name it, add steps, then Save task.' : ' Someone who may manage tasks can create one.'}
        </Empty>
      ) : (
        <Table
          label="Tasks"
          rows={tasks.data?.list}
          rowId={(t) => t.id}
          columns={[
            {
              header: 'Task',
              cell: (t) => (
                <button type="button" onClick={() => setOpenId(t.id)}>
                  {t.name}
                </button>
              ),
            },
            { header: 'Version', cell: (t) => t.version },
            { header: 'Steps', cell: (t) => t.steps.length },
            { header: 'Variables', cell: (t) => t.variables.join(', ') },
            { header: 'Saved', cell: (t) => new Date(t.updatedAt).toLocaleString() },
          ]}
        />
      )}
      {may && !task && (
        <section aria-label="New task">
          <h2>New task</h2>
          <Field label="Task name">
            <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
          </Field>
          <StepEditor value={steps} onChange={setSteps} />
          <RunButton run={run} what="Save task" action={() => api('/task/create', { name, steps: parsed() })} after={tasks.reload}>
            Save task
          </RunButton>
        </section>
      )}
      {task && (
        <section aria-label={`Task ${task.name}`}>
          <h2>
            {task.name} (version {task.version})
          </h2>
          <ButtonRow>
            <button type="button" onClick={() => setOpenId(null)}>
              Back to the list
            </button>
            {may && (
              <ConfirmButton
                run={run}
                danger
                what={`Delete task ${task.name}`}
                title={`Delete the task ${task.name}?`}
                body="Its versions and schedules go with it; runs it already made keep what they ran."
                confirmLabel="Delete task"
                action={() => api('/task/delete', { id: task.id })}
                after={() => (setOpenId(null), tasks.reload())}
              >
                Delete task
              </ConfirmButton>
            )}
          </ButtonRow>
          <StepEditor value={steps} onChange={setSteps} />
          {may && (
            <RunButton
              run={run}
              what="Save a new version"
              action={() => api('/task/update', { id: task.id, version: task.version, steps: parsed() })}
              after={tasks.reload}
            >
              Save a new version
            </RunButton>
          )}
          <h3>Earlier versions</h3>
          <Table
            label="Versions"
            rows={versions.data?.list}
            rowId={(v) => v.version}
            columns={[
              { header: 'Version', cell: (v) => v.version },
              { header: 'Steps', cell: (v) => v.steps.length },
              { header: 'Saved', cell: (v) => new Date(v.savedAt).toLocaleString() },
              {
                header: '',
                cell: (v) =>
                  may && (
                    <RunButton
                      run={run}
                      what={`Restore version ${v.version}`}
                      action={() => api('/task/restore', { id: task.id, version: v.version })}
                      after={tasks.reload}
                    >
                      Restore version {v.version}
                    </RunButton>
                  ),
              },
            ]}
          />
          {can(me, 'task:run') && <RunForm task={task} onStarted={(id) => (location.hash = `runs/${id}`)} />}
        </section>
      )}
    </>
  );
}
