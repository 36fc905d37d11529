import { AUDIT_KIND_LABELS, AUDIT_KINDS } from '@cos/contracts/audit';
import type { AuditEventResponse, AuditKind } from '@cos/contracts/audit';
import type { MemberResponse } from '@cos/contracts';
import { useState } from 'react';
import { api } from '../api';
import { Pager, Table } from '../table';
import { Empty, Field, Status, useLoad } from '../ui';
import { detailName, detailText, plural } from '../words';

const PAGE_SIZE = 50;

/** The filters the page offers, as typed (empty: not filtered). */
interface Filters {
  kind: AuditKind | '';
  actorId: string;
  windowName: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { kind: '', actorId: '', windowName: '', from: '', to: '' };

/** A day picked in the date inputs, as the instant its local day starts (`to` is the day after, so the whole day counts). */
const dayStart = (day: string, plusDays = 0) => {
  const at = new Date(`${day}T00:00:00`);
  at.setDate(at.getDate() + plusDays);
  return at.toISOString();
};

const kindLabel = (kind: string) => (AUDIT_KIND_LABELS as Record<string, string>)[kind] ?? kind;

/** An event's details as a short name: value list; long values wrap. */
function Details({ data }: { data: Record<string, unknown> }) {
  const entries = Object.entries(data);
  if (entries.length === 0) return null;
  return (
    <dl className="details">
      {entries.map(([key, value]) => (
        <div key={key} className="details-row">
          <dt>{detailName(key)}</dt>
          <dd>{detailText(value, key)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The windows whose names match what is typed, offered as the typing goes; the filter takes the one named exactly. */
function useWindowMatches(typed: string, live: number) {
  const keyword = typed.trim();
  return useLoad(
    () =>
      keyword
        ? api<{ list: { id: number; name: string }[] }>('/browser/list', { keyword, pageSize: 20 })
        : Promise.resolve({ list: [] as { id: number; name: string }[] }),
    [keyword, live],
  );
}

export function AuditPage({ live }: { live: number }) {
  const [page, setPage] = useState(0);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const set = (change: Partial<Filters>) => (setFilters({ ...filters, ...change }), setPage(0));
  const members = useLoad(() => api<{ list: MemberResponse[] }>('/team/member/list'), [live]);
  const windows = useWindowMatches(filters.windowName, live);
  const windowId = filters.windowName.trim() ? windows.data?.list.find((w) => w.name === filters.windowName.trim())?.id : undefined;
  const unknownWindow = filters.windowName.trim() !== '' && windows.data !== null && windowId === undefined;
  const body = {
    page,
    pageSize: PAGE_SIZE,
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.actorId ? { actorId: Number(filters.actorId) } : {}),
    ...(windowId !== undefined ? { windowId } : {}),
    ...(filters.from ? { since: dayStart(filters.from) } : {}),
    ...(filters.to ? { until: dayStart(filters.to, 1) } : {}),
  };
  const events = useLoad(
    () =>
      unknownWindow ? Promise.resolve({ list: [], total: 0 }) : api<{ list: AuditEventResponse[]; total: number }>('/audit/list', body),
    [JSON.stringify(body), unknownWindow, live],
  );
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  return (
    <>
      <form className="toolbar" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <Field label="What happened">
          <select value={filters.kind} onChange={(e) => set({ kind: e.target.value as AuditKind | '' })}>
            <option value="">Everything</option>
            {AUDIT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kindLabel(kind)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Who">
          <select value={filters.actorId} onChange={(e) => set({ actorId: e.target.value })}>
            <option value="">Anyone</option>
            {members.data?.list.map((m) => (
              <option key={m.id} value={m.id}>
                {m.email}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Window name">
          <input list="audit-windows" value={filters.windowName} onChange={(e) => set({ windowName: e.target.value })} />
        </Field>
        <datalist id="audit-windows">
          {windows.data?.list.map((w) => (
            <option key={w.id} value={w.name} />
          ))}
        </datalist>
        <Field label="From">
          <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        </Field>
        <Field label="To">
          <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        </Field>
        {filtered && (
          <button type="button" onClick={() => set(NO_FILTERS)}>
            Clear filters
          </button>
        )}
      </form>
      <Status
        text={events.error || (unknownWindow ? `No window is named ${filters.windowName.trim()}: pick one of the names offered.` : '')}
      />
      {events.data?.total === 0 ? (
        <Empty>
          {filtered
            ? 'No events match these filters. Widen the dates or clear the filters.'
            : 'Nothing recorded yet. Changes to windows, members, tokens and the rest show here as they happen.'}
        </Empty>
      ) : (
        <Table
          label="Audit log"
          rows={events.data?.list}
          rowId={(e) => e.id}
          columns={[
            { header: 'When', cell: (e) => new Date(e.createdAt).toLocaleString() },
            { header: 'What', wrap: true, cell: (e) => kindLabel(e.kind) },
            { header: 'Who', wrap: true, cell: (e) => (e.actorId === null ? 'The cloud' : (e.actorEmail ?? 'A former member')) },
            { header: 'Window', wrap: true, cell: (e) => (e.windowId === null ? '' : (e.windowName ?? 'A window deleted for good')) },
            { header: 'Device', wrap: true, cell: (e) => e.deviceName ?? (e.deviceId ? 'No agent (a console or API session)' : '') },
            { header: 'Details', wrap: true, cell: (e) => <Details data={e.data} /> },
          ]}
        />
      )}
      <Pager label="Pages of the audit log" page={page} pageSize={PAGE_SIZE} total={events.data?.total ?? 0} onPage={setPage}>
        {plural(events.data?.total ?? 0, 'event')}
      </Pager>
    </>
  );
}
