/** The permission catalogue. Owners and admins hold all of them; a member holds what an admin assigned. */
export const PERMISSIONS = {
  'browser:list': 'List windows and read their details',
  'browser:create:single': 'Create a window',
  'browser:update:single': 'Change one window',
  'browser:update:batch': 'Change several windows in one call',
  'browser:delete:recycle': 'Move windows to the recycle bin',
  'browser:recycle:restore': 'Restore windows from the recycle bin',
  'browser:delete:permanent': 'Delete windows from the recycle bin for good',
  'browser:open': 'Open and close windows through a local agent',
  'group:manage': 'Create, rename and delete groups',
  'tag:manage': 'Create, rename and delete tags',
  'proxy:manage': "Manage the team's saved proxies",
  'task:manage': 'Create, change, restore and delete tasks',
  'webhook:manage': "Manage the team's webhook endpoints and read their deliveries",
  'variable:manage': "Set and delete the team's variables and its windows' (secrets are never read back)",
  'task:run': 'Run tasks on windows in scope, on devices one may drive; cancel and retry those runs',
  'team:manage': 'Manage team members and their permissions',
} as const;

export type Permission = keyof typeof PERMISSIONS;

/** What the console calls each permission; `PERMISSIONS` says what it allows. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  'browser:list': 'See windows',
  'browser:create:single': 'Create windows',
  'browser:update:single': 'Edit a window',
  'browser:update:batch': 'Edit many windows at once',
  'browser:delete:recycle': 'Move windows to the recycle bin',
  'browser:recycle:restore': 'Restore from the recycle bin',
  'browser:delete:permanent': 'Delete windows for good',
  'browser:open': 'Open windows',
  'group:manage': 'Manage groups',
  'tag:manage': 'Manage tags',
  'proxy:manage': 'Manage proxies',
  'task:manage': 'Manage tasks',
  'webhook:manage': 'Manage webhooks',
  'variable:manage': 'Manage variables',
  'task:run': 'Run tasks',
  'team:manage': 'Manage the team',
};

/** A permission's label, or the code itself for one the catalogue no longer has. */
export function permissionLabel(code: string): string {
  return isPermission(code) ? PERMISSION_LABELS[code] : code;
}
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PERMISSIONS, value);
}

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['all', 'groups'] as const;
export type WindowScope = (typeof SCOPES)[number];

/** An endpoint that takes `ids` needs the single permission for one id and the batch one for more. */
export interface PermissionRule {
  single: Permission;
  batch?: Permission;
}

export function permissionFor(rule: PermissionRule, idCount: number): Permission {
  return idCount > 1 && rule.batch ? rule.batch : rule.single;
}

export function roleHolds(role: Role, granted: readonly string[], needed: Permission): boolean {
  return role === 'owner' || role === 'admin' || granted.includes(needed);
}
