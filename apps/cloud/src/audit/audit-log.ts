import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuditKind } from '@cos/contracts';
import { ClusterBus } from '../cluster/cluster-bus';

export { AUDIT_KINDS } from '@cos/contracts';
export type { AuditKind } from '@cos/contracts';

export interface AuditEntry {
  teamId: number;
  /** The user who made the change; null for the cloud's own jobs (the purger). */
  actorId: number | null;
  kind: AuditKind;
  /** Window events: one row per window, with the window's group at the time. */
  windowIds?: readonly number[];
  deviceId?: string | null;
  data?: Record<string, unknown>;
}

/** The ids an insert wrote, as their range (a batch writes a thousand rows: only the ends travel). */
interface IdRange {
  from: string | null;
  to: string | null;
}

const rangeOf = (insert: string) => `WITH added AS (${insert}) SELECT min(id)::text AS "from", max(id)::text AS "to" FROM added`;

/**
 * Writes the audit trail inside the caller's transaction, so a change and its record commit or
 * roll back together, and tells every instance's event stream once they commit.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly bus: ClusterBus) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const data = JSON.stringify(entry.data ?? {});
    let ids: IdRange[];
    if (entry.windowIds) {
      if (entry.windowIds.length === 0) return;
      ids = await manager.query(
        rangeOf(`INSERT INTO audit_events (team_id, actor_id, kind, window_id, group_id, device_id, data)
         SELECT w.team_id, $2, $3, w.id, w.group_id, $4, $5::jsonb FROM windows w WHERE w.team_id = $6 AND w.id = ANY($1) ORDER BY w.id
         RETURNING id`),
        [entry.windowIds, entry.actorId, entry.kind, entry.deviceId ?? null, data, entry.teamId],
      );
    } else {
      ids = await manager.query(
        rangeOf(`INSERT INTO audit_events (team_id, actor_id, kind, device_id, data) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id`),
        [entry.teamId, entry.actorId, entry.kind, entry.deviceId ?? null, data],
      );
    }
    await this.appended(manager, ids);
  }

  /** Window events of windows that are already gone (deleted for good): their ids and groups as they were. */
  async recordGone(
    manager: EntityManager,
    entry: Omit<AuditEntry, 'windowIds' | 'teamId'>,
    windows: readonly { id: number; team_id: number; group_id: number | null }[],
  ): Promise<void> {
    if (windows.length === 0) return;
    const ids: IdRange[] = await manager.query(
      rangeOf(`INSERT INTO audit_events (team_id, actor_id, kind, window_id, group_id, device_id, data)
       SELECT t, $4, $5, w, g, $6, $7::jsonb FROM unnest($1::int[], $2::int[], $3::int[]) AS gone(w, t, g) RETURNING id`),
      [
        windows.map((w) => w.id),
        windows.map((w) => w.team_id),
        windows.map((w) => w.group_id),
        entry.actorId,
        entry.kind,
        entry.deviceId ?? null,
        JSON.stringify(entry.data ?? {}),
      ],
    );
    await this.appended(manager, ids);
  }

  /** Tells every instance's event stream, once the caller's transaction commits, that these rows exist. */
  async appended(manager: EntityManager, [range]: IdRange[]): Promise<void> {
    if (!range?.from || !range.to) return;
    await this.bus.notifyOnCommit(manager, { kind: 'audit-appended', fromId: Number(range.from), toId: Number(range.to) });
  }
}
