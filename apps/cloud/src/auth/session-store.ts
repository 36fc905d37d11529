import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager, IsNull } from 'typeorm';
import { SessionEntity } from './session.entity';

/** Replaced refresh tokens a session remembers besides the one just replaced: presenting one ends it. */
export const RETIRED_MAX = 32;

/** An earlier session of a user that held a device, as a new login taking the device over ended it. */
export interface EndedSession {
  id: string;
  /** Whether it was still live (not revoked) before. */
  live: boolean;
}

/**
 * Reads and writes of `auth_sessions`. Methods that take an `EntityManager` run in the caller's
 * transaction (and take the locks they say); the others run on their own.
 */
@Injectable()
export class SessionStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findLive(id: string): Promise<SessionEntity | null> {
    return this.db.getRepository(SessionEntity).findOneBy({ id, revokedAt: IsNull() });
  }

  async insert(manager: EntityManager, fields: DeepPartial<SessionEntity>): Promise<void> {
    await manager.insert(SessionEntity, fields);
  }

  /** The session as a refresh reads it, with whether its last rotation is within `graceSeconds` (by the database's clock). */
  async forRefresh(id: string, graceSeconds: number): Promise<{ session: SessionEntity; withinGrace: boolean } | null> {
    const { entities, raw } = await this.db
      .getRepository(SessionEntity)
      .createQueryBuilder('s')
      .addSelect('coalesce(s.rotated_at > now() - make_interval(secs => :graceSeconds), false)', 'within_grace')
      .where('s.id = :id', { id, graceSeconds })
      .getRawAndEntities<{ within_grace: boolean }>();
    return entities[0] ? { session: entities[0], withinGrace: raw[0].within_grace === true } : null;
  }

  /**
   * Replaces the refresh token `secretHash` of a live session by `nextHash` (kept sealed as well);
   * the one it replaced before joins the retired hashes, newest first, the oldest let go past
   * `RETIRED_MAX`. False when `secretHash` is no longer the current one.
   */
  async rotate(sessionId: string, secretHash: string, nextHash: string, nextSealed: string): Promise<boolean> {
    const rotated = await this.db
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({
        refreshHash: nextHash,
        refreshSealed: nextSealed,
        previousRefreshHash: secretHash,
        retiredHashes: () => `nullif(left(concat_ws(' ', previous_refresh_hash, retired_hashes), ${RETIRED_MAX * 65 - 1}), '')`,
        rotatedAt: () => 'now()',
      })
      .where('id = :sessionId AND refresh_hash = :secretHash AND revoked_at IS NULL', { sessionId, secretHash })
      .execute();
    return rotated.affected === 1;
  }

  /** Ends the session, live or not, on its own. */
  async revoke(id: string): Promise<void> {
    await this.db.getRepository(SessionEntity).update({ id }, { revokedAt: new Date() });
  }

  /** Ends the live session `id` (of `userId`, when given); false when there was none to end. */
  async end(manager: EntityManager, id: string, userId?: number): Promise<boolean> {
    const where = userId === undefined ? { id, revokedAt: IsNull() } : { id, userId, revokedAt: IsNull() };
    const ended = await manager.update(SessionEntity, where, { revokedAt: new Date() });
    return Boolean(ended.affected);
  }

  /** Ends every session of the user that holds `deviceId`, their rows locked first; answers them all. */
  async endOnDevice(manager: EntityManager, userId: number, deviceId: string): Promise<EndedSession[]> {
    const [earlier] = await manager.query<[EndedSession[], number]>(
      `WITH before AS (SELECT id, revoked_at IS NULL AS live FROM auth_sessions WHERE user_id = $1 AND device_id = $2 FOR UPDATE)
       UPDATE auth_sessions s SET revoked_at = coalesce(s.revoked_at, now()) FROM before WHERE s.id = before.id
       RETURNING s.id, before.live`,
      [userId, deviceId],
    );
    return earlier;
  }

  /** Whether a live session (of anyone) holds the device. */
  async deviceHeld(manager: EntityManager, deviceId: string): Promise<boolean> {
    const held = await manager.query<unknown[]>(`SELECT 1 FROM auth_sessions WHERE device_id = $1 AND revoked_at IS NULL`, [deviceId]);
    return held.length > 0;
  }
}
