/* eslint-disable @typescript-eslint/require-await -- the fake answers at once, through the promises of what it stands for */
import { EntityManager } from 'typeorm';
import type { AuditEntry, AuditLog } from './audit-log';

/** What the services wrote to the audit trail. */
export class AuditRecorder implements Pick<AuditLog, 'record' | 'recordGone'> {
  readonly entries: AuditEntry[] = [];

  async record(_manager: EntityManager, entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }

  /** Recorded as one entry per team, as `record` would take it. */
  async recordGone(
    _manager: EntityManager,
    entry: Omit<AuditEntry, 'windowIds' | 'teamId'>,
    windows: readonly { id: number; team_id: number }[],
  ) {
    for (const teamId of new Set(windows.map((w) => w.team_id)))
      this.entries.push({ ...entry, teamId, windowIds: windows.filter((w) => w.team_id === teamId).map((w) => w.id) });
  }

  kinds(): string[] {
    return this.entries.map((e) => e.kind);
  }
}
