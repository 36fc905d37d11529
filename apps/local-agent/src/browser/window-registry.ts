import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncSettings } from '@cos/contracts';
import type { ExitInfo } from '@cos/proxy-kit';
import { writePrivate } from '../identity/agent-files';
import type { Adjustment } from './identity';
import type { RestoreProblem } from './profile-archive';

/** What the agent must remember about a running window to finish it after a restart. */
export interface WindowRecord {
  id: number;
  uuid: string;
  pid: number;
  /** The agent's multiplexer, what clients connect to. */
  wsEndpoint: string;
  port: number;
  profileDir: string;
  configPath: string;
  /** Set from Firefox's start until its setup is done: such a window, left by a killed agent, is stopped and not synced. */
  starting?: boolean;
  sync: SyncSettings;
  leaseSeconds: number;
  startedAt: string;
  /** Where its traffic left, when an IP check ran at open. */
  exit?: ExitInfo | null;
  restore?: RestoreProblem;
  /** The window's cookie epoch at the open: the close's cookies belong to it. */
  cookiesEpoch?: number;
  /** The Xvfb display the window draws on, ended with it. */
  displayPid?: number;
  /** Fields of the stored fingerprint shown otherwise, and why (see identity.ts). */
  fingerprintAdjustments?: Adjustment[];
  /** The roaming profile version it opened on, and whether it was fetched from the cloud for this open. */
  profileSync?: {
    version: number | null;
    pulled: boolean;
    downloadedBytes: number;
    reusedBytes: number;
    leftOut?: number;
    fetchMs: number;
  };
}

/** One JSON file per running window under `runtime/`. */
export class WindowRegistry {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  save(record: WindowRecord): void {
    writePrivate(join(this.dir, `${record.uuid}.json`), JSON.stringify(record, null, 2));
  }

  remove(uuid: string): void {
    rmSync(join(this.dir, `${uuid}.json`), { force: true });
  }

  all(): WindowRecord[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        try {
          return [JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as WindowRecord];
        } catch {
          return [];
        }
      });
  }
}
