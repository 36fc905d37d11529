import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivate } from '../identity/agent-files';

/** Kept in the profile folder, never synced: a copy pulled or unzipped elsewhere starts without it. */
const EPOCH_FILE = 'cos-cookies-epoch';
const COOKIE_FILES = ['cookies.sqlite', 'cookies.sqlite-wal', 'cookies.sqlite-shm', 'cookies.sqlite-journal'];

/** The cookie epoch the profile's own cookies belong to; 0 for a copy that never recorded one. */
function profileEpoch(profileDir: string): number {
  try {
    const epoch = Number(readFileSync(join(profileDir, EPOCH_FILE), 'utf8'));
    return Number.isSafeInteger(epoch) && epoch >= 0 ? epoch : 0;
  } catch {
    return 0;
  }
}

/**
 * Drops the cookie jar of a profile copy made in another cookie epoch than the window's: the
 * window's cookies were replaced since (an import), and what the copy holds would come back on
 * top of the stored cookies the open sets. True when the jar was dropped.
 */
export async function dropCookiesOfOtherEpoch(profileDir: string, epoch: number): Promise<boolean> {
  if (!existsSync(profileDir) || profileEpoch(profileDir) === epoch) return false;
  await Promise.all(COOKIE_FILES.map((file) => fs.rm(join(profileDir, file), { force: true })));
  return true;
}

/** Marks the profile's cookies as those of `epoch`: the open has set the window's stored cookies in it. */
export function recordCookiesEpoch(profileDir: string, epoch: number): void {
  writePrivate(join(profileDir, EPOCH_FILE), String(epoch));
}
