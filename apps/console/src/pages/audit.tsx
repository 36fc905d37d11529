import { useState } from 'react';
import { api } from '../api';
import { Pager, Table } from '../table';
import { Field, Status, useLoad } from '../ui';

const PAGE_SIZE = 50;

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
    () => api<{ list: AuditEvent[]; total: number }>('/audit/list', { page, pageSize: PAGE_SIZE, ...(kind ? { kind } : {}) }),
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
      <Table
        label="Audit log"
        rows={events.data?.list}
        rowId={(e) => e.id}
        columns={[
          { header: 'When', cell: (e) => new Date(e.createdAt).toLocaleString() },
          { header: 'What', cell: (e) => e.kind },
          { header: 'Who', cell: (e) => e.actorId ?? 'cloud' },
          { header: 'Window', cell: (e) => e.windowId ?? '' },
          { header: 'Device', cell: (e) => e.deviceId ?? '' },
          { header: 'Details', cell: (e) => (Object.keys(e.data).length ? JSON.stringify(e.data) : '') },
        ]}
      />
      <Pager label="Pages of the audit log" page={page} pageSize={PAGE_SIZE} total={events.data?.total ?? 0} onPage={setPage}>
        {events.data?.total ?? 0} events
      </Pager>
    </>
  );
}
