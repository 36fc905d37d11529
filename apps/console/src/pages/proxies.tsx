import { useState } from 'react';
import { api } from '../api';
import { ConfirmButton } from '../confirm';
import { Dialog } from '../dialog';
import { Table } from '../table';
import { ButtonRow, Empty, Status, useAction, useLoad } from '../ui';
import { plural } from '../words';
import { EMPTY_PROXY, ProxyFields, ProxyForm } from './proxy-form';
import { ProxyImportDialog } from './proxy-import';

interface LastCheck {
  status: 'unchecked' | 'ok' | 'failed';
  ip: string;
  country: string;
  timezone: string;
  message: string;
  checkedAt: string | null;
}

interface SavedProxy {
  id: number;
  name: string;
  proxyType: string;
  host: string;
  port: number;
  proxyUserName: string;
  hasProxyPassword: boolean;
  windowCount: number;
  lastCheck: LastCheck;
}

/** What `/proxy/check` answers: the exit it found, or why it could not go through. */
type CheckAnswer =
  { ok: true; ip: string; country: string; timezone: string; latencyMs: number } | { ok: false; reason: string; message: string };

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The exit a check found, in words ("198.51.100.20, FR, Europe/Paris"). */
const exitOf = (c: { ip: string; country: string; timezone: string }) => [c.ip, c.country, c.timezone].filter(Boolean).join(', ');

function LastCheckCell({ check }: { check: LastCheck }) {
  if (check.status === 'unchecked') return <span className="badge idle">Not checked yet</span>;
  const when = check.checkedAt ? ` · ${WHEN.format(new Date(check.checkedAt))}` : '';
  if (check.status === 'ok')
    return (
      <span>
        <span className="badge live">Works</span> {exitOf(check)}
        <span className="muted">{when}</span>
      </span>
    );
  return (
    <span>
      <span className="badge bad">Failed</span> {check.message || 'no reason given'}
      <span className="muted">{when}</span>
    </span>
  );
}

/** A check that could not go through is a failure on the status line, with its reason. */
async function check(p: SavedProxy): Promise<CheckAnswer> {
  const answer = await api<CheckAnswer>('/proxy/check', { id: p.id });
  if (!answer.ok) throw new Error(answer.message || answer.reason);
  return answer;
}

const fieldsOf = (p: SavedProxy): ProxyFields => ({
  name: p.name,
  proxyType: p.proxyType,
  host: p.host,
  port: String(p.port),
  proxyUserName: p.proxyUserName,
  proxyPassword: '',
});

export function ProxiesPage({ live }: { live: number }) {
  const proxies = useLoad(() => api<{ list: SavedProxy[] }>('/proxy/list', { pageSize: 100 }), [live]);
  const { status, run } = useAction();
  const [pasting, setPasting] = useState(false);
  const [editing, setEditing] = useState<SavedProxy | null>(null);
  const add = (form: ProxyFields) =>
    run(`Add proxy ${form.name}`, () => api('/proxy/add', { ...form, port: Number(form.port) }), { done: `Added proxy ${form.name}` }).then(
      (ok) => (ok && proxies.reload(), ok),
    );
  const save = (p: SavedProxy, form: ProxyFields) => {
    // An empty password field keeps the saved password.
    const { proxyPassword, ...rest } = form;
    const body = { id: p.id, ...rest, port: Number(form.port), ...(proxyPassword ? { proxyPassword } : {}) };
    return run(`Save proxy ${form.name}`, () => api<{ proxyPasswordCleared?: boolean }>('/proxy/update', body), {
      done: (answer) =>
        answer?.proxyPasswordCleared
          ? `Saved proxy ${form.name}; its password was cleared because the address changed: type it again`
          : `Saved proxy ${form.name}`,
    }).then((ok) => (ok && (setEditing(null), proxies.reload()), ok));
  };
  return (
    <>
      <button type="button" onClick={() => setPasting(true)}>
        Paste a list…
      </button>
      {pasting && <ProxyImportDialog onClose={() => setPasting(false)} onSaved={proxies.reload} />}
      <ProxyForm className="toolbar" label="Add a proxy" initial={EMPTY_PROXY} submitLabel="Add proxy" onSubmit={add} />
      {!editing && <Status text={status || proxies.error} />}
      {editing && (
        <Dialog title={`Edit proxy ${editing.name}`} onClose={() => setEditing(null)}>
          <ProxyForm
            label={`Proxy ${editing.name}`}
            initial={fieldsOf(editing)}
            editing={{ hasPassword: editing.hasProxyPassword }}
            submitLabel="Save"
            onSubmit={(form) => save(editing, form)}
          />
          <Status text={status} />
        </Dialog>
      )}
      {proxies.data?.list.length === 0 ? (
        <Empty>No saved proxies yet. Add one with the form above, or paste a list with Paste a list…; windows can then pick it.</Empty>
      ) : (
        <Table
          label="Saved proxies"
          rows={proxies.data?.list}
          rowId={(p) => p.id}
          columns={[
            { header: 'Name', wrap: true, cell: (p) => p.name },
            {
              header: 'Endpoint',
              wrap: true,
              cell: (p) => `${p.proxyType}://${p.proxyUserName ? `${p.proxyUserName}@` : ''}${p.host}:${p.port}`,
            },
            { header: 'Password', cell: (p) => (p.hasProxyPassword ? 'Saved' : 'None') },
            { header: 'Used by', cell: (p) => (p.windowCount ? plural(p.windowCount, 'window') : 'No window') },
            { header: 'Last check', wrap: true, cell: (p) => <LastCheckCell check={p.lastCheck} /> },
            {
              header: 'Actions',
              cell: (p) => (
                <ButtonRow>
                  <button
                    type="button"
                    aria-label={`Check ${p.name}`}
                    onClick={() =>
                      void run(`Check ${p.name}`, () => check(p), {
                        done: (a) => (a.ok ? `Check ${p.name}: works, exit ${exitOf(a)} in ${a.latencyMs} ms` : ''),
                      }).then(proxies.reload)
                    }
                  >
                    Check
                  </button>
                  <button type="button" aria-label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                    Edit
                  </button>
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Delete ${p.name}`}
                    title={`Delete the proxy ${p.name}?`}
                    body="Its address and password are removed from the team. A proxy a window still uses cannot be deleted: change those windows first."
                    confirmLabel="Delete proxy"
                    action={() => api('/proxy/delete', { id: p.id })}
                    after={proxies.reload}
                    label={`Delete ${p.name}`}
                  >
                    Delete
                  </ConfirmButton>
                </ButtonRow>
              ),
            },
          ]}
        />
      )}
    </>
  );
}
