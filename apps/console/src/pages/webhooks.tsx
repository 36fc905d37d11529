import { useEffect, useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { ConfirmButton } from '../confirm';
import { Table } from '../table';
import { ButtonRow, Empty, Field, RunButton, Status, useAction, useLoad } from '../ui';

interface Hook {
  id: number;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  previousSecretUntil: string | null;
}
interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastAnswer: string | null;
  lastError: string | null;
  createdAt: string;
}

/** One endpoint's last deliveries: what was sent, how often, and what the endpoint answered. */
function Deliveries({ hook, live }: { hook: Hook; live: number }) {
  const list = useLoad(() => api<{ list: Delivery[] }>('/webhook/deliveries', { id: hook.id }), [hook.id, live]);
  const { reload } = list;
  const waiting = !list.data || list.data.list.length === 0 || list.data.list.some((d) => d.status === 'pending');
  // Deliveries change without an event (tries, answers): read again while one is still on its way.
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setInterval(reload, 2_000);
    return () => clearInterval(timer);
  }, [waiting, reload]);
  return (
    <Table
      label={`Deliveries to ${hook.url}`}
      rows={list.data?.list}
      rowId={(d) => d.id}
      columns={[
        { header: 'When', cell: (d) => new Date(d.createdAt).toLocaleString() },
        { header: 'Event', cell: (d) => d.event },
        { header: 'Status', cell: (d) => d.status },
        { header: 'Tries', cell: (d) => d.attempts },
        {
          header: 'Answer',
          wrap: true,
          cell: (d) => (d.lastStatus === null ? (d.lastError ?? '') : `${d.lastStatus} ${d.lastAnswer ?? ''}`.trim()),
        },
      ]}
    />
  );
}

/** Webhook endpoints: add one (its secret shown once), rotate, enable or disable, and read the last deliveries. */
export function WebhooksPage({ live }: { live: number }) {
  const me = useSession();
  const hooks = useLoad(() => api<{ list: Hook[]; allowPrivateAddresses: boolean }>('/webhook/list'), [live]);
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const { status, run } = useAction();
  const shown = hooks.data?.list.find((h) => h.id === open);
  return (
    <>
      <p>
        Each delivery is signed by the Standard Webhooks scheme; verify it with the secret shown when the endpoint is added or rotated.
        Private addresses are {hooks.data?.allowPrivateAddresses ? 'allowed' : 'refused'}.
      </p>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void run('Add endpoint', async () => setSecret((await api<{ secret: string }>('/webhook/create', { url })).secret)).then(
            (ok) => ok && (setUrl(''), hooks.reload()),
          );
        }}
      >
        <Field label="Endpoint URL">
          <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <button type="submit">Add endpoint</button>
      </form>
      {secret && (
        <p role="note">
          Signing secret (shown once): <code>{secret}</code>
        </p>
      )}
      <Status text={status || hooks.error} />
      {hooks.data?.list.length === 0 ? (
        <Empty>
          No webhook endpoints yet. Add an endpoint URL above; the cloud then posts each finished run there (event run.finished), signed.
        </Empty>
      ) : (
        <Table
          label="Webhook endpoints"
          rows={hooks.data?.list}
          rowId={(h) => h.id}
          columns={[
            { header: 'Endpoint', wrap: true, cell: (h) => h.url },
            { header: 'Events', wrap: true, cell: (h) => h.events.join(', ') },
            {
              header: 'State',
              wrap: true,
              cell: (h) => (h.enabled ? 'enabled' : `disabled${h.disabledReason ? `: ${h.disabledReason}` : ''}`),
            },
            {
              header: '',
              cell: (h) => (
                <ButtonRow>
                  <button type="button" aria-label={`Deliveries of ${h.url}`} onClick={() => setOpen(h.id)}>
                    Deliveries
                  </button>
                  <RunButton
                    run={run}
                    what="Rotate secret"
                    action={async () => setSecret((await api<{ secret: string }>('/webhook/rotate', { id: h.id })).secret)}
                    after={hooks.reload}
                  >
                    Rotate secret
                  </RunButton>
                  <RunButton
                    run={run}
                    what={h.enabled ? 'Disable' : 'Enable'}
                    action={() => api('/webhook/update', { id: h.id, enabled: !h.enabled })}
                    after={hooks.reload}
                  >
                    {h.enabled ? 'Disable' : 'Enable'}
                  </RunButton>
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Delete ${h.url}`}
                    title={`Delete the webhook endpoint ${h.url}?`}
                    body="No more events are posted to it, and its delivery history is removed. This cannot be undone."
                    confirmLabel="Delete endpoint"
                    label={`Delete ${h.url}`}
                    action={() => api('/webhook/delete', { id: h.id })}
                    after={hooks.reload}
                  >
                    Delete
                  </ConfirmButton>
                </ButtonRow>
              ),
            },
          ]}
        />
      )}
      {can(me, 'team:manage') && hooks.data && (
        <RunButton
          run={run}
          what="Private addresses"
          action={() => api('/webhook/settings', { allowPrivateAddresses: !hooks.data!.allowPrivateAddresses })}
          after={hooks.reload}
        >
          {hooks.data.allowPrivateAddresses ? 'Refuse private addresses' : 'Allow private addresses'}
        </RunButton>
      )}
      {shown && <Deliveries hook={shown} live={live} />}
    </>
  );
}
