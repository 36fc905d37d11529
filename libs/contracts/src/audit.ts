/** What the audit trail records, each with the words the console shows for it. */
export const AUDIT_KIND_LABELS = {
  'window.created': 'Window created',
  'window.updated': 'Window changed',
  'window.deleted': 'Window moved to the recycle bin',
  'window.restored': 'Window restored from the recycle bin',
  'window.purged': 'Window deleted for good',
  'window.opened': 'Window opened',
  'window.closed': 'Window closed',
  'window.syncing': 'Window closing, its profile syncing',
  'window.synced': 'Window profile synced',
  'window.lease_taken': 'Window opening on a device',
  'window.lease_expired': "A device's hold on the window ran out",
  'window.cookies_imported': 'Cookies imported',
  'window.cookies_exported': 'Cookies exported',
  'window.profile_downloaded': 'Profile downloaded',
  'window.profile_committed': 'Profile version saved',
  'window.profile_restored': 'Profile version restored',
  'window.remote_open': 'Window opened remotely',
  'window.remote_close': 'Window closed remotely',
  'device.online': 'Device came online',
  'device.offline': 'Device went offline',
  'task.saved': 'Task saved',
  'task.deleted': 'Task deleted',
  'run.started': 'Run started',
  'run.window': 'Run step on a window',
  'run.finished': 'Run finished',
  'run.canceled': 'Run canceled',
  'schedule.set': 'Schedule set',
  'schedule.deleted': 'Schedule deleted',
  'webhook.changed': 'Webhook changed',
  'webhook.deleted': 'Webhook deleted',
  'variable.set': 'Variable set',
  'variable.deleted': 'Variable deleted',
  'member.invited': 'Member invited',
  'member.invite_revoked': 'Invitation revoked',
  'member.added': 'Member added',
  'member.changed': 'Member access changed',
  'member.removed': 'Member removed',
  'proxy.added': 'Proxy added',
  'proxy.changed': 'Proxy changed',
  'proxy.deleted': 'Proxy deleted',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
} as const;

export type AuditKind = keyof typeof AUDIT_KIND_LABELS;
export const AUDIT_KINDS = Object.keys(AUDIT_KIND_LABELS) as AuditKind[];

/** An event of the trail as `/audit/list` answers it. */
export interface AuditEventResponse {
  id: number;
  kind: AuditKind;
  actorId: number | null;
  /** The actor's email; null for the cloud's own jobs (the purger) or a user no longer on record. */
  actorEmail: string | null;
  windowId: number | null;
  /** The window's name; null when the window is gone (deleted for good). */
  windowName: string | null;
  groupId: number | null;
  deviceId: string | null;
  /** The hostname the device registered with in this team; null when there is none or the team never saw it. */
  deviceName: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}
