import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager, IsNull } from 'typeorm';
import { SessionEntity } from './session.entity';

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

  find(id: string): Promise<SessionEntity | null> {
    return this.db.getRepository(SessionEntity).findOneBy({ id });
  }

  findLive(id: string): Promise<SessionEntity | null> {
    return this.db.getRepository(SessionEntity).findOneBy({ id, revokedAt: IsNull() });
  }

  async insert(manager: EntityManager, fields: DeepPartial<SessionEntity>): Promise<void> {
    await manager.insert(SessionEntity, fields);
  }

  /** Replaces the refresh token `secretHash` of a live session; false when it is no longer the current one. */
  async rotate(sessionId: string, secretHash: string, nextHash: string): Promise<boolean> {
    const rotated = await this.db
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ refreshHash: nextHash, previousRefreshHash: secretHash, rotatedAt: () => 'now()' })
      .where('id = :sessionId AND refresh_hash = :secretHash AND revoked_at IS NULL', { sessionId, secretHash })
      .execute();
    return rotated.affected === 1;
  }

  /**
   * Rotates a session whose client presents the token it replaced within `graceSeconds` of that
   * rotation: the current one is replaced in turn (it may never have reached the client) and
   * becomes the one taken within the grace. False when the session moved on or the grace is over.
   */
  async rotateFromPrevious(sessionId: string, previousHash: string, nextHash: string, graceSeconds: number): Promise<boolean> {
    const rotated = await this.db
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ refreshHash: nextHash, previousRefreshHash: () => 'refresh_hash', rotatedAt: () => 'now()' })
      .where(
        `id = :sessionId AND previous_refresh_hash = :previousHash AND revoked_at IS NULL AND rotated_at > now() - make_interval(secs => :graceSeconds)`,
        { sessionId, previousHash, graceSeconds },
      )
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
