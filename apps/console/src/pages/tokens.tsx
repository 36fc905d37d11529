import { useState } from 'react';
import { api } from '../api';
import { Field, Status, useAction, useLoad } from '../ui';

interface ApiToken {
  id: number;
  name: string;
  tokenPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export function TokensPage({ live }: { live: number }) {
  const tokens = useLoad(() => api<{ list: ApiToken[] }>('/auth/token/list'), [live]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState('');
  const { status, run } = useAction();
  return (
    <>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void run('Create token', async () => {
            const answer = await api<{ token: string }>('/auth/token/create', { name });
            setCreated(answer.token);
            setName('');
            tokens.reload();
          });
        }}
      >
        <Field label="Token name">
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit">Create token</button>
      </form>
      {created && (
        <section aria-label="New token">
          <p>Copy this token now; it is not shown again.</p>
          <p className="secret" data-testid="new-token">
            {created}
          </p>
          <button type="button" onClick={() => setCreated('')}>
            I have copied it
          </button>
        </section>
      )}
      <Status text={status || tokens.error} />
      <div className="table-wrap">
        <table aria-label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.list.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.tokenPrefix}…</td>
                <td>{new Date(t.createdAt).toLocaleString()}</td>
                <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => void run(`Revoke ${t.name}`, () => api('/auth/token/revoke', { id: t.id })).then(tokens.reload)}
                  >
                    Revoke {t.name}
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
