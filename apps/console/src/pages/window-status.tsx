import type { WindowRow } from './window-changes';
import type { Devices } from './window-devices';

/** What a window is doing now, in words: closed, opening on X, open on X, syncing on X. */
export function statusOf(w: Pick<WindowRow, 'openStatus' | 'openDeviceId'>, devices: Devices): { text: string; tone: string } {
  if (w.openStatus === 'closed') return { text: 'Closed', tone: 'idle' };
  const device = devices.list.find((d) => d.deviceId === w.openDeviceId)?.hostname ?? 'another device';
  if (w.openStatus === 'opening') return { text: `Opening on ${device}`, tone: 'busy' };
  if (w.openStatus === 'closing') return { text: `Syncing on ${device}`, tone: 'busy' };
  return { text: `Open on ${device}`, tone: 'live' };
}

export function StatusBadge({ window: w, devices }: { window: WindowRow; devices: Devices }) {
  const { text, tone } = statusOf(w, devices);
  return <span className={`badge ${tone}`}>{text}</span>;
}
