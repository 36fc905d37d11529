/* eslint-disable @typescript-eslint/require-await -- the fake answers at once, through the promises of what it stands for */
import { DeepPartial, EntityManager } from 'typeorm';
import type { ApiTokenEntity } from './api-token.entity';
import type { ApiTokenStore } from './api-token-store';

/** `api_tokens` in memory, lineages included. */
export class InMemoryApiTokens implements Pick<ApiTokenStore, keyof ApiTokenStore> {
  readonly rows: ApiTokenEntity[] = [];

  add(fields: Partial<ApiTokenEntity> & Pick<ApiTokenEntity, 'userId'>): ApiTokenEntity {
    const token = {
      id: this.rows.length + 1,
      name: 'token',
      deviceId: `dev-${this.rows.length + 1}`,
      tokenHash: '',
      tokenPrefix: '',
      createdAt: new Date(),
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      parentId: null,
      mayCreateTokens: false,
      ...fields,
    };
    this.rows.push(token);
    return token;
  }

  byId(id: number): ApiTokenEntity | undefined {
    return this.rows.find((t) => t.id === id);
  }

  /** The token and every token created from it, at any depth. */
  lineage(id: number): number[] {
    const ids = [id];
    for (let i = 0; i < ids.length; i++) ids.push(...this.rows.filter((t) => t.parentId === ids[i]).map((t) => t.id));
    return ids;
  }

  async lockLive(_m: EntityManager, id: number) {
    const token = this.byId(id);
    return token !== undefined && token.revokedAt === null && (token.expiresAt === null || token.expiresAt > new Date());
  }
  async insert(_m: EntityManager, fields: DeepPartial<ApiTokenEntity>) {
    return this.add(fields as ApiTokenEntity);
  }
  async list(userId: number, within: number | null) {
    const visible = within === null ? null : this.lineage(within);
    return this.rows.filter((t) => t.userId === userId && (visible === null || visible.includes(t.id))).sort((a, b) => b.id - a.id);
  }
  async revokeLineage(_m: EntityManager, id: number, userId: number, visibleFrom: number | null) {
    const token = this.byId(id);
    if (!token || token.userId !== userId || token.revokedAt !== null) return [];
    if (visibleFrom !== null && !this.lineage(visibleFrom).includes(id)) return [];
    const revoked = this.lineage(id).filter((other) => this.byId(other)?.revokedAt === null);
    for (const other of revoked) this.byId(other)!.revokedAt = new Date();
    return revoked;
  }
}
