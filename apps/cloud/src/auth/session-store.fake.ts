/* eslint-disable @typescript-eslint/require-await -- the fake answers at once, through the promises of what it stands for */
import { DeepPartial, EntityManager } from 'typeorm';
import type { SessionEntity } from './session.entity';
import { RETIRED_MAX } from './session-store';
import type { EndedSession, SessionStore } from './session-store';

/** `auth_sessions` in memory. */
export class InMemorySessions implements Pick<SessionStore, keyof SessionStore> {
  readonly rows: SessionEntity[] = [];

  async findLive(id: string) {
    const row = this.rows.find((s) => s.id === id && s.revokedAt === null);
    return row ? { ...row } : null;
  }
  async insert(_m: EntityManager, fields: DeepPartial<SessionEntity>) {
    this.rows.push({ createdAt: new Date(), ...fields } as SessionEntity);
  }
  async forRefresh(id: string, graceSeconds: number) {
    const row = this.rows.find((s) => s.id === id);
    return row ? { session: { ...row }, withinGrace: (row.rotatedAt?.getTime() ?? 0) > Date.now() - graceSeconds * 1000 } : null;
  }
  async rotate(sessionId: string, secretHash: string, nextHash: string, nextSealed: string) {
    const row = this.rows.find((s) => s.id === sessionId && s.refreshHash === secretHash && s.revokedAt === null);
    if (row) {
      const retired = [row.previousRefreshHash, ...(row.retiredHashes?.split(' ') ?? [])].filter((h) => h !== null).slice(0, RETIRED_MAX);
      Object.assign(row, {
        refreshHash: nextHash,
        refreshSealed: nextSealed,
        previousRefreshHash: secretHash,
        retiredHashes: retired.length ? retired.join(' ') : null,
        rotatedAt: new Date(),
      });
    }
    return row !== undefined;
  }
  async revoke(id: string) {
    for (const row of this.rows) if (row.id === id) row.revokedAt = new Date();
  }
  async end(_m: EntityManager, id: string, userId?: number) {
    const row = this.rows.find((s) => s.id === id && s.revokedAt === null && (userId === undefined || s.userId === userId));
    if (row) row.revokedAt = new Date();
    return row !== undefined;
  }
  async endOnDevice(_m: EntityManager, userId: number, deviceId: string) {
    const ended: EndedSession[] = [];
    for (const row of this.rows.filter((s) => s.userId === userId && s.deviceId === deviceId)) {
      ended.push({ id: row.id, live: row.revokedAt === null });
      row.revokedAt ??= new Date();
    }
    return ended;
  }
  async deviceHeld(_m: EntityManager, deviceId: string) {
    return this.rows.some((s) => s.deviceId === deviceId && s.revokedAt === null);
  }
}
