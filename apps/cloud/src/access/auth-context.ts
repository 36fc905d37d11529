import type { Permission, Role, WindowScope } from '@cos/contracts';
import { roleHolds } from '@cos/contracts';

/** The API token a caller came with: what it may pass on to tokens it creates. */
export interface CallerToken {
  id: number;
  mayCreateTokens: boolean;
  expiresAt: Date | null;
}

/** Who is calling, loaded fresh for every request so role and scope changes apply at once. */
export class AuthContext {
  constructor(
    readonly userId: number,
    readonly teamId: number,
    readonly role: Role,
    readonly permissions: readonly string[],
    readonly scope: WindowScope,
    /** The groups a member with `scope: "groups"` may see; empty otherwise. */
    readonly groupIds: readonly number[],
    readonly sessionId: string | null,
    /** The device the cloud issued to this login session or API token: what holds leases and signs commits. */
    readonly deviceId: string,
    /** Set when the caller came with an API token rather than a login. */
    readonly token: CallerToken | null = null,
  ) {}

  /** The API token the call came with; null for a login session. */
  get apiTokenId(): number | null {
    return this.token?.id ?? null;
  }

  holds(permission: Permission): boolean {
    return roleHolds(this.role, this.permissions, permission);
  }

  /** Null when every window of the team is in scope; else the group ids that are. */
  get scopedGroupIds(): readonly number[] | null {
    return this.role === 'member' && this.scope === 'groups' ? this.groupIds : null;
  }

  inScope(groupId: number | null): boolean {
    const groups = this.scopedGroupIds;
    return groups === null || (groupId !== null && groups.includes(groupId));
  }
}

export interface AccessTokenPayload {
  sub: number;
  sid: string;
  tid: number;
}
