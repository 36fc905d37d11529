import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Table } from '../table';
import { ConfirmButton } from '../confirm';
import { Empty, Field, Status, useAction, useLoad } from '../ui';
import { plural } from '../words';
import type { WindowRow } from './window-changes';

/** A variable as `/variable/list` answers it: a secret's value is never sent back. */
export interface Variable {
  name: string;
  value: string | null;
  secret: boolean;
  updatedAt: string;
}

/** The team's variables (no window) or a window's own, listed with set and delete for those who may. */
function VariableList({ windowId, title, live, may }: { windowId: number | null; title: string; live: number; may: boolean }) {
  const where = windowId === null ? {} : { windowId };
  const variables = useLoad(() => api<{ list: Variable[]; max: number }>('/variable/list', where), [windowId, live]);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [secret, setSecret] = useState(false);
  const { status, run } = useAction();
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {variables.data?.list.length === 0 ? (
        <Empty>No variables here yet.{may ? ' Set one below with a name and a value; runs fill {{name}} with it.' : ''}</Empty>
      ) : (
        <Table
          label={title}
          rows={variables.data?.list}
          rowId={(v) => v.name}
          columns={[
            { header: 'Name', cell: (v) => <code>{v.name}</code> },
            { header: 'Value', cell: (v) => (v.secret ? 'secret — hidden' : v.value) },
            { header: 'Updated', cell: (v) => new Date(v.updatedAt).toLocaleString() },
            {
              header: '',
              cell: (v) =>
                may && (
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Delete ${v.name}`}
                    title={`Delete variable ${v.name}?`}
                    body={
                      <>
                        Runs will no longer fill <code>{`{{${v.name}}}`}</code> from here.
                        {v.secret ? ' A secret cannot be read back, so its value is lost.' : ''}
                      </>
                    }
                    confirmLabel={`Delete ${v.name}`}
                    action={() => api('/variable/delete', { ...where, name: v.name })}
                    after={variables.reload}
                    label={`Delete ${v.name}`}
                  >
                    Delete
                  </ConfirmButton>
                ),
            },
          ]}
        />
      )}
      {variables.data && (
        <p>
          {variables.data.list.length} of {plural(variables.data.max, 'variable')} kept.
        </p>
      )}
      {may && (
        <form
          className="toolbar"
          aria-label={`Set a variable: ${title}`}
          onSubmit={(e) => {
            e.preventDefault();
            void run(`Set ${name}`, () => api('/variable/set', { ...where, name, value, secret })).then(
              (ok) => ok && (setName(''), setValue(''), setSecret(false), variables.reload()),
            );
          }}
        >
          <Field label="Name">
            <input required maxLength={64} spellCheck={false} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label="Value">
            <input
              type={secret ? 'password' : 'text'}
              autoComplete={secret ? 'new-password' : 'off'}
              maxLength={10_000}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </Field>
          <label>
            <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} /> Secret
          </label>
          <button type="submit">Set variable</button>
        </form>
      )}
      <Status text={status || variables.error} />
    </section>
  );
}

/** Values runs fill into `{{names}}`: the team's, and one window's own chosen by its id. */
export function VariablesPage({ live }: { live: number }) {
  const me = useSession();
  const may = can(me, 'variable:manage');
  // Suggestions for the window id only; an id typed by hand works as well (more windows than one page).
  const windows = useLoad(
    () => (can(me, 'browser:list') ? api<{ list: WindowRow[] }>('/browser/list', { pageSize: 100 }) : Promise.resolve({ list: [] })),
    [live],
  );
  const [typed, setTyped] = useState('');
  const [windowId, setWindowId] = useState<number | null>(null);
  const shown = windows.data?.list.find((w) => w.id === windowId);
  return (
    <>
      <p>
        A run fills each window&apos;s <code>{'{{name}}'}</code> from three places, each over the one before: the team&apos;s value, then
        the value typed for the run, then the window&apos;s own. Secrets are sealed and never shown again.
      </p>
      <VariableList windowId={null} title="Team variables" live={live} may={may} />
      <form
        className="toolbar"
        aria-label="Pick a window"
        onSubmit={(e) => {
          e.preventDefault();
          setWindowId(Number(typed) || null);
        }}
      >
        <Field label="Window id">
          <input inputMode="numeric" pattern="[0-9]*" list="variable-windows" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </Field>
        <datalist id="variable-windows">
          {windows.data?.list.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </datalist>
        <button type="submit">Show its own values</button>
      </form>
      {windowId !== null && (
        <VariableList
          key={windowId}
          windowId={windowId}
          title={`Own values of window ${shown ? `${shown.name} (#${windowId})` : `#${windowId}`}`}
          live={live}
          may={may}
        />
      )}
    </>
  );
}
