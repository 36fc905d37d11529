import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';

/** The ids of the API token `tokenId` names and of every token created from it, at any depth; none when it is null. */
const lineageSql = (tokenId: string) => `WITH RECURSIVE caller_lineage AS (
    SELECT id FROM api_tokens WHERE id = ${tokenId}
    UNION
    SELECT t.id FROM api_tokens t JOIN caller_lineage c ON t.parent_id = c.id
  ) SELECT id FROM caller_lineage`;

/**
 * Reads and writes of `api_tokens`, whose tokens form lineages (a token created by a token is its
 * child). Methods that take an `EntityManager` run in the caller's transaction (and take the locks
 * they say); the others read on their own.
 */
@Injectable()
export class ApiTokenStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Whether the token is live (not revoked, not expired); its row stays locked until the transaction ends. */
  async lockLive(manager: EntityManager, id: number): Promise<boolean> {
    const live: unknown[] = await manager.query(
      `SELECT 1 FROM api_tokens WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE`,
      [id],
    );
    return live.length > 0;
  }

  insert(manager: EntityManager, fields: DeepPartial<ApiTokenEntity>): Promise<ApiTokenEntity> {
    return manager.save(manager.create(ApiTokenEntity, fields));
  }

  /** The user's tokens, newest first; only the token `within` and those created from it, at any depth, when it is set. */
  list(userId: number, within: number | null): Promise<ApiTokenEntity[]> {
    const query = this.db.getRepository(ApiTokenEntity).createQueryBuilder('t').where('t.user_id = :userId', { userId });
    if (within !== null) query.andWhere(`t.id IN (${lineageSql(':tokenId')})`, { tokenId: within });
    return query.orderBy('t.id', 'DESC').getMany();
  }

  /**
   * Revokes the user's live token `id` and every token created from it, at any depth, in one
   * statement; when `visibleFrom` is set, only if `id` is in that token's lineage. Answers the ids
   * it revoked (none when `id` was not one to revoke).
   */
  async revokeLineage(manager: EntityManager, id: number, userId: number, visibleFrom: number | null): Promise<number[]> {
    const revoked: { id: number }[] = await manager.query(
      `WITH RECURSIVE visible AS (${lineageSql('$3::int')})
       , lineage AS (
         SELECT id FROM api_tokens
         WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND ($3::int IS NULL OR id IN (SELECT id FROM visible))
         UNION
         SELECT t.id FROM api_tokens t JOIN lineage l ON t.parent_id = l.id
       )
       , revoked AS (
         UPDATE api_tokens SET revoked_at = now()
         WHERE id IN (SELECT id FROM lineage) AND revoked_at IS NULL
         RETURNING id)
       SELECT id FROM revoked`,
      [id, userId, visibleFrom],
    );
    return revoked.map((row) => row.id);
  }
}
