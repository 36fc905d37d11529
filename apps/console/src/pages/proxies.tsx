import { useState } from 'react';
import { api } from '../api';
import { Field, Status, useAction, useLoad } from '../ui';

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

export function ProxiesPage({ live }: { live: number }) {
  const proxies = useLoad(() => api<{ list: SavedProxy[] }>('/proxy/list', { pageSize: 100 }), [live]);
  const [form, setForm] = useState({ name: '', proxyType: 'http', host: '', port: '', proxyUserName: '', proxyPassword: '' });
  const { status, run } = useAction();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <>
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
      <div className="table-wrap">
        <table aria-label="Saved proxies">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Password</th>
              <th scope="col">Last check</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {proxies.data?.list.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td>
                  {p.proxyType}://{p.proxyUserName ? `${p.proxyUserName}@` : ''}
                  {p.host}:{p.port}
                </td>
                <td>{p.hasProxyPassword ? 'set' : 'not set'}</td>
                <td>
                  {p.lastCheck
                    ? p.lastCheck.ok
                      ? `ok: ${p.lastCheck.ip ?? ''} ${p.lastCheck.country ?? ''} ${p.lastCheck.latencyMs ?? ''} ms`
                      : `failed: ${p.lastCheck.message ?? p.lastCheck.reason ?? ''}`
                    : 'never'}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => void run(`Check ${p.name}`, () => api('/proxy/check', { id: p.id })).then(proxies.reload)}
                  >
                    Check {p.name}
                  </button>{' '}
                  <button
                    type="button"
                    onClick={() => void run(`Delete ${p.name}`, () => api('/proxy/delete', { id: p.id })).then(proxies.reload)}
                  >
                    Delete {p.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
