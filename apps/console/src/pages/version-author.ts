/** A roaming profile version as `/browser/profile/versions` lists it. */
export interface Version {
  version: number;
  createdAt: string;
  deviceId: string | null;
  /** The hostname the device registered with; null when the cloud never saw it. */
  deviceName: string | null;
  createdByEmail: string | null;
  via: 'session' | 'api-token' | null;
  apiTokenId: number | null;
  fileCount: number;
  totalSize: number;
  restoredFrom: number | null;
}

/** Who made a version and on which device, by the name it registered with; older versions carry a device id the client chose. */
export function authorOf(v: Version): string {
  const by = v.createdByEmail ? `, by ${v.createdByEmail}` : '';
  if (!v.deviceId) return by;
  const device = v.deviceName ?? 'a device the cloud does not know';
  if (v.via === 'api-token') return `${by} through an API token on ${device}`;
  return `${by} on ${device}${v.via === null ? ' (named by the device itself, not verified)' : ''}`;
}
