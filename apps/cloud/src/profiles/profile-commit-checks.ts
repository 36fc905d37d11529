import { InvalidParamError, profileFileVerdict, profilePathProblem } from '@cos/contracts';
import type { SyncSettings } from '@cos/contracts';
import { ProfileFileDto } from './dto/profile.dto';

/** A path inside the profile folder: relative, "/"-separated, no empty, "." or ".." part, no drive or backslash. */
export function checkPath(path: string, where: string): void {
  const problem = profilePathProblem(path);
  if (problem)
    throw new InvalidParamError(`${where}.path ${problem}: it must be a relative path inside the profile (no "..", no leading "/")`);
}

/**
 * Every file must be profile data the window itself syncs (its own settings, not the `sync` the
 * commit claims): whoever may open a window may commit to it, and the owner's next open loads it.
 */
export function checkSyncedFiles(files: ProfileFileDto[], sync: SyncSettings): void {
  files.forEach((file, i) => {
    const verdict = profileFileVerdict(file.path, sync);
    if (!verdict.synced) throw new InvalidParamError(`files[${i}].path ${file.path} ${verdict.reason}; the commit is refused`);
  });
}
