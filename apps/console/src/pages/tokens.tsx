import { useState } from 'react';
import { api } from '../api';
import { Table } from '../table';
import { ConfirmButton } from '../confirm';
import { Empty, Field, Status, useAction, useLoad } from '../ui';

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
      {tokens.data?.list.length === 0 ? (
        <Empty>No API tokens yet. Name one above and press Create token to let a script or the local agent sign in as you.</Empty>
      ) : (
        <Table
          label="API tokens"
          rows={tokens.data?.list}
          rowId={(t) => t.id}
          columns={[
            { header: 'Name', cell: (t) => t.name },
            { header: 'Starts with', cell: (t) => `${t.tokenPrefix}…` },
            { header: 'Created', cell: (t) => new Date(t.createdAt).toLocaleString() },
            { header: 'Last used', cell: (t) => (t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never') },
            {
              header: 'Actions',
              cell: (t) => (
                <ConfirmButton
                  run={run}
                  danger
                  what={`Revoke ${t.name}`}
                  title={`Revoke the API token ${t.name}?`}
                  body={`Every script or agent signed in with ${t.name} (starting ${t.tokenPrefix}…) is refused from now on. This cannot be undone: a new token has to be created and given to them.`}
                  confirmLabel="Revoke token"
                  action={() => api('/auth/token/revoke', { id: t.id })}
                  after={tokens.reload}
                  label={`Revoke ${t.name}`}
                >
                  Revoke
                </ConfirmButton>
              ),
            },
          ]}
        />
      )}
    </>
  );
}
