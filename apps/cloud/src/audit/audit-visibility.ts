import type { AuditEventResponse, AuditKind } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { hashToken } from '../crypto/secret-box';

export interface AuditRow {
  id: string;
  team_id: number;
  actor_id: number | null;
  kind: string;
  window_id: number | null;
  group_id: number | null;
  device_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  /** Only on rows of the trail's list, joined in its statement. */
  actor_email?: string | null;
  window_name?: string | null;
  device_name?: string | null;
}

/**
 * Who may see an audit event: window events follow the windows (browser:list, and a member's
 * scope by the window's group at the time); proxy events need proxy:manage; a device's events its
 * owner (their actor) or team:manage; a run's events whoever started it or team:manage; task
 * events every member; the rest (members, tokens, logins) team:manage. Always within the caller's team.
 */
export function visibleTo(auth: AuthContext, row: Pick<AuditRow, 'team_id' | 'kind' | 'group_id' | 'actor_id'>): boolean {
  return visibilityOf(auth)(row);
}

/**
 * `visibleTo` for one caller, with its permissions looked up once: a stream asks it of every
 * event it is offered.
 */
export function visibilityOf(auth: AuthContext): (row: Pick<AuditRow, 'team_id' | 'kind' | 'group_id' | 'actor_id'>) => boolean {
  const windows = auth.holds('browser:list');
  const scoped = auth.scopedGroupIds;
  const groups = scoped ? new Set(scoped) : null;
  // A saved proxy's host, port and name are for those who may manage proxies, team:manage or not.
  const proxies = auth.holds('proxy:manage');
  const rest = auth.holds('team:manage');
  return (row) => {
    if (row.team_id !== auth.teamId) return false;
    if (row.kind.startsWith('window.')) return windows && (groups === null || (row.group_id !== null && groups.has(row.group_id)));
    if (row.kind.startsWith('proxy.')) return proxies;
    if (/^(device|run|schedule)\./.test(row.kind)) return rest || row.actor_id === auth.userId;
    if (row.kind.startsWith('task.')) return true;
    return rest;
  };
}

/**
 * What the trail shows of a login session: a session id is half of its refresh token, so readers
 * of the trail get a label that tells sessions apart and leads back to none.
 */
export function sessionLabel(sessionId: string): string {
  return hashToken(`audit-session:${sessionId}`).slice(0, 16);
}

/** Rows recorded before labels named the session by its id: shown with the label instead. */
function withoutSessionId(data: Record<string, unknown>): Record<string, unknown> {
  if (typeof data.sessionId !== 'string') return data;
  const { sessionId, ...rest } = data;
  return { ...rest, session: sessionLabel(sessionId) };
}

/** An event as the event stream sends it (the list adds names: `listedAuditView`). */
export function auditView(row: AuditRow): Omit<AuditEventResponse, 'actorEmail' | 'windowName' | 'deviceName'> {
  return {
    id: Number(row.id),
    kind: row.kind as AuditKind,
    actorId: row.actor_id,
    windowId: row.window_id,
    groupId: row.group_id,
    deviceId: row.device_id,
    data: withoutSessionId(row.data),
    createdAt: row.created_at.toISOString(),
  };
}

/** An event as `/audit/list` answers it: with the actor's email and the window's name joined in its statement. */
export function listedAuditView(row: AuditRow): AuditEventResponse {
  return {
    ...auditView(row),
    actorEmail: row.actor_email ?? null,
    windowName: row.window_name ?? null,
    deviceName: row.device_name ?? null,
  };
}

/** The SQL form of `visibleTo` for the window part, for lists filtered in the database. */
export function scopeCondition(auth: AuthContext, params: unknown[]): string {
  const parts: string[] = [];
  if (auth.holds('browser:list')) {
    const scoped = auth.scopedGroupIds;
    parts.push(scoped ? `(e.kind LIKE 'window.%' AND e.group_id = ANY($${params.push(scoped)}))` : `e.kind LIKE 'window.%'`);
  }
  if (auth.holds('proxy:manage') || auth.holds('team:manage')) parts.push(`e.kind LIKE 'proxy.%'`);
  if (auth.holds('team:manage')) parts.push(`(e.kind NOT LIKE 'window.%' AND e.kind NOT LIKE 'proxy.%')`);
  else parts.push(`(e.kind LIKE 'device.%' AND e.actor_id = $${params.push(auth.userId)})`);
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}
