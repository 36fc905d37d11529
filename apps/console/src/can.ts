import type { MeResponse, Permission } from '@cos/contracts';

/** Whether the signed-in caller holds `permission`; pages ask it what to show (the API stays the authority). */
export function can(me: MeResponse, permission: Permission): boolean {
  return me.user.role !== 'member' || me.permissions.includes(permission);
}
