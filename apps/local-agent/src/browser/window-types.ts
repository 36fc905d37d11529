import type { CookieRefusal } from '@cos/contracts';
import type { StatusAnswer } from '../cloud/launch-answer';
import type { Disposal } from '../one-time/one-time-windows';
import type { ProfileSyncAnswer } from '../outbox/close-outbox';
import type { ArchiveResult } from './profile-archive';
import type { WindowRecord } from './window-registry';

/** A window whose Firefox runs (or ran) on this desktop, as the agent tracks it. */
export interface RunningWindow extends WindowRecord {
  exited: Promise<void>;
  renewTimer: NodeJS.Timeout;
  closing: Promise<CloseOutcome> | null;
}

export interface CloseOutcome {
  archive: ArchiveResult | null;
  /** `refused`: cookies the browser held that no window can store (the one cookie check), left out of the sync. */
  cookies: { synced: boolean; count: number; refused: CookieRefusal[] };
  /** Set when the profile could not be saved for want of space: what was kept and what was not. */
  storageError: string | null;
  /** The cloud's answer to the close, or `pending` while the report waits in the outbox. */
  backendClose: Record<string, unknown>;
  killed: boolean;
  error: number;
  reason: 'requested' | 'exited' | 'recovered';
  /** For a one-time window: its deletion after the close. */
  oneTime: Disposal | null;
  /** The roaming profile's commit; null when none was made (a one-time window). */
  profileSync: ProfileSyncAnswer | null;
}

/** The cloud's view of a window; `unknown` when the cloud could not be asked or answered no status. */
export type OpenStatusView = StatusAnswer;
