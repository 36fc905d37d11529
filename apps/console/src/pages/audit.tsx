import { useState } from 'react';
import { api } from '../api';
import { Field, Status, useLoad } from '../ui';

interface AuditEvent {
  id: string;
  kind: string;
  actorId: number | null;
  windowId: number | null;
  deviceId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export function AuditPage({ live }: { live: number }) {
  const [page, setPage] = useState(0);
  const [kind, setKind] = useState('');
  const events = useLoad(
    () => api<{ list: AuditEvent[]; total: number }>('/audit/list', { page, pageSize: 50, ...(kind ? { kind } : {}) }),
    [page, kind, live],
  );
  return (
    <>
      <div className="toolbar">
        <Field label="Kind">
          <input value={kind} placeholder="window.opened" onChange={(e) => (setKind(e.target.value.trim()), setPage(0))} />
        </Field>
      </div>
      <Status text={events.error} />
      <div className="table-wrap">
        <table aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
              <th scope="col">Window</th>
              <th scope="col">Device</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {events.data?.list.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.createdAt).toLocaleString()}</td>
                <td>{e.kind}</td>
                <td>{e.actorId ?? 'cloud'}</td>
                <td>{e.windowId ?? ''}</td>
                <td>{e.deviceId ?? ''}</td>
                <td>{Object.keys(e.data).length ? JSON.stringify(e.data) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages of the audit log">
        <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
          Previous
        </button>
        <span>{events.data?.total ?? 0} events</span>
        <button type="button" disabled={(page + 1) * 50 >= (events.data?.total ?? 0)} onClick={() => setPage((p) => p + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}
