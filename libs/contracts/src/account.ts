import type { Permission, Role, WindowScope } from './permissions';

/** A user as the cloud answers them (a login, `/auth/me`, a team's members). */
export interface UserResponse {
  id: number;
  email: string;
  name: string;
  role: Role;
  teamId: number;
  createdAt: string;
}

/** A member as the team's member list and its add and update answer them: their access as granted, whatever their role. */
export interface MemberResponse extends UserResponse {
  permissions: string[];
  scope: WindowScope;
  groupIds: number[];
}

export interface TeamResponse {
  id: number;
  name: string;
  createdAt: string;
}

/** `/auth/me`: the caller, their team, the device the cloud issued to their credential, and what they may do. */
export interface MeResponse {
  user: UserResponse;
  team: TeamResponse;
  deviceId: string;
  /** Every permission the caller holds: all of them for an owner or admin. */
  permissions: Permission[];
  /** `all` for an owner or admin. */
  scope: WindowScope;
  /** The groups a member with scope `groups` sees; empty otherwise. */
  groupIds: number[];
}

/** What `/auth/console/refresh` answers a browser with no console session: the console's sign-in says nothing then (any other refusal ended a session it had). */
export const NO_CONSOLE_SESSION = 'No console session';
