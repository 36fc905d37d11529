import { useState } from 'react';
import { api } from '../api';
import { Table } from '../table';
import { ConfirmButton } from '../confirm';
import { ButtonRow, Empty, Field, RunButton, Status, useAction, useLoad } from '../ui';
import { ProxyImportDialog } from './proxy-import';

interface SavedProxy {
  id: number;
  name: string;
  proxyType: string;
  host: string;
  port: number;
  proxyUserName: string;
  hasProxyPassword: boolean;
  lastCheck: {
    ok: boolean;
    ip?: string;
    country?: string;
    latencyMs?: number;
    reason?: string;
    message?: string;
    checkedAt?: string;
  } | null;
}

function lastCheckText(check: SavedProxy['lastCheck']): string {
  if (!check) return 'never';
  if (check.ok) return `ok: ${check.ip ?? ''} ${check.country ?? ''} ${check.latencyMs ?? ''} ms`;
  return `failed: ${check.message ?? check.reason ?? ''}`;
}

export function ProxiesPage({ live }: { live: number }) {
  const proxies = useLoad(() => api<{ list: SavedProxy[] }>('/proxy/list', { pageSize: 100 }), [live]);
  const [form, setForm] = useState({ name: '', proxyType: 'http', host: '', port: '', proxyUserName: '', proxyPassword: '' });
  const { status, run } = useAction();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const [pasting, setPasting] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setPasting(true)}>
        Paste a list…
      </button>
      {pasting && <ProxyImportDialog onClose={() => setPasting(false)} onSaved={proxies.reload} />}
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void run('Add proxy', () => api('/proxy/add', { ...form, port: Number(form.port) })).then((ok) => ok && proxies.reload());
        }}
      >
        <Field label="Name">
          <input required value={form.name} onChange={set('name')} />
        </Field>
        <Field label="Type">
          <select value={form.proxyType} onChange={set('proxyType')}>
            {['http', 'https', 'socks5', 'ssh'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Host">
          <input required value={form.host} onChange={set('host')} />
        </Field>
        <Field label="Port">
          <input required inputMode="numeric" value={form.port} onChange={set('port')} />
        </Field>
        <Field label="User name">
          <input autoComplete="off" value={form.proxyUserName} onChange={set('proxyUserName')} />
        </Field>
        <Field label="Password">
          <input type="password" autoComplete="new-password" value={form.proxyPassword} onChange={set('proxyPassword')} />
        </Field>
        <button type="submit">Add proxy</button>
      </form>
      <Status text={status || proxies.error} />
      {proxies.data?.list.length === 0 ? (
        <Empty>No saved proxies yet. Add one with the form above, or paste a list with Paste a list…; windows can then pick it.</Empty>
      ) : (
        <Table
          label="Saved proxies"
          rows={proxies.data?.list}
          rowId={(p) => p.id}
          columns={[
            { header: 'Name', cell: (p) => p.name },
            { header: 'Endpoint', cell: (p) => `${p.proxyType}://${p.proxyUserName ? `${p.proxyUserName}@` : ''}${p.host}:${p.port}` },
            { header: 'Password', cell: (p) => (p.hasProxyPassword ? 'set' : 'not set') },
            { header: 'Last check', cell: (p) => lastCheckText(p.lastCheck) },
            {
              header: 'Actions',
              cell: (p) => (
                <ButtonRow>
                  <RunButton run={run} what={`Check ${p.name}`} action={() => api('/proxy/check', { id: p.id })} after={proxies.reload}>
                    Check {p.name}
                  </RunButton>
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Delete ${p.name}`}
                    title={`Delete the proxy ${p.name}?`}
                    body="Its address and password are removed from the team. A proxy a window still uses cannot be deleted: change those windows first."
                    confirmLabel="Delete proxy"
                    action={() => api('/proxy/delete', { id: p.id })}
                    after={proxies.reload}
                  >
                    Delete {p.name}
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
