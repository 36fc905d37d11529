/** A roaming profile version as `/browser/profile/versions` lists it. */
export interface Version {
  version: number;
  createdAt: string;
  deviceId: string | null;
  createdByEmail: string | null;
  via: 'session' | 'api-token' | null;
  apiTokenId: number | null;
  fileCount: number;
  totalSize: number;
  restoredFrom: number | null;
}

/** Who made a version and from which device the cloud issued them; older versions carry a device id the client chose. */
export function authorOf(v: Version): string {
  const by = v.createdByEmail ? `, by ${v.createdByEmail}` : '';
  if (!v.deviceId) return by;
  if (v.via === 'api-token') return `${by} through API token #${v.apiTokenId} (device ${v.deviceId})`;
  return `${by} on device ${v.deviceId}${v.via === null ? ' (named by the device itself, not verified)' : ''}`;
}
