import type { SyncKey, SyncSettings } from './fingerprint';

/**
 * Which files of a Firefox profile roam between devices: an allowlist by what a file is, the one
 * place both the cloud (at commit) and the agent (at close and when assembling a fetched version)
 * decide it. A roaming version is written by any member who may open the window, so nothing that
 * makes Firefox run code or changes its security (preferences, PKCS#11 modules, certificate
 * databases, policies, unsigned add-ons) is ever part of one; neither is what Firefox rebuilds by
 * itself (caches, startup cache, safe-browsing lists, crash data, telemetry).
 */

/** A blob's name: a SHA-256 in lower-case hex, nothing a file path could be made of. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Every profile path is at most this long. */
export const PROFILE_PATH_MAX = 1024;

interface SyncedKind {
  /** What the files are, as the README and refusals name them. */
  what: string;
  /** Relative, "/"-separated paths of this kind. */
  pattern: RegExp;
  /** The sync settings that bring it along (any one of them). */
  needs: readonly SyncKey[];
}

/** An origin folder of the quota manager: web origins only (extension and browser-internal storage stay local). */
const WEB_ORIGIN = String.raw`https?\+\+\+[^/]+`;
const STORAGE = String.raw`storage/(?:default|permanent)/${WEB_ORIGIN}`;
const WAL = String.raw`(?:-wal)?`;

export const SYNCED_PROFILE_FILES: readonly SyncedKind[] = [
  { what: 'cookies', pattern: new RegExp(`^cookies\\.sqlite${WAL}$`), needs: ['syncCookies'] },
  { what: 'history and bookmarks', pattern: new RegExp(`^places\\.sqlite${WAL}$`), needs: ['syncHistory', 'syncBookmarks'] },
  {
    what: 'site icons of history and bookmarks',
    pattern: new RegExp(`^favicons\\.sqlite${WAL}$`),
    needs: ['syncHistory', 'syncBookmarks'],
  },
  { what: 'form history', pattern: new RegExp(`^formhistory\\.sqlite${WAL}$`), needs: ['syncHistory'] },
  { what: 'bookmark backups', pattern: /^bookmarkbackups\/[A-Za-z0-9_.+-]+\.jsonlz4$/, needs: ['syncBookmarks'] },
  { what: 'localStorage (legacy store)', pattern: new RegExp(`^webappsstore\\.sqlite${WAL}$`), needs: ['syncLocalStorage'] },
  { what: 'localStorage', pattern: new RegExp(`^${STORAGE}/ls/(?:data\\.sqlite${WAL}|usage)$`), needs: ['syncLocalStorage'] },
  {
    what: 'IndexedDB',
    pattern: new RegExp(`^${STORAGE}/idb/[^/]+(?:\\.sqlite${WAL}|\\.files/\\d+)$`),
    needs: ['syncIndexedDB'],
  },
  {
    what: "a site's storage metadata",
    pattern: new RegExp(`^${STORAGE}/\\.metadata(?:-v2)?$`),
    needs: ['syncLocalStorage', 'syncIndexedDB'],
  },
  { what: 'saved passwords', pattern: /^(?:logins\.json|logins-backup\.json|key4\.db)$/, needs: ['syncPasswords'] },
  // Firefox verifies an add-on's signature when it loads it; a package without one is not even carried.
  { what: 'signed extensions', pattern: /^extensions\/[A-Za-z0-9@{}._+-]+\.xpi$/, needs: ['syncExtensions'] },
  { what: 'extension data', pattern: /^browser-extension-data\/[A-Za-z0-9@{}._+-]+\/storage\.js$/, needs: ['syncExtensions'] },
];

/**
 * Never synced whatever the settings: files that make Firefox load code or trust something
 * (checked first, so a refusal names the reason, and so no pattern above can ever let one in).
 */
const NEVER: readonly RegExp[] = [
  /(?:^|\/)(?:pkcs11\.txt|secmod\.db|prefs\.js|user\.js|policies\.json|handlers\.json|extensions\.json|compatibility\.ini)$/i,
  /(?:^|\/)cert[0-9]*\.db$/i,
  /\.(?:so|dll|dylib|exe|bat|cmd|sh|ps1|com|msi|scr|jar)$/i,
];

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why `path` is not a relative path inside a profile folder, or null. Refused on every system
 * the agent runs on: absolute, `..`/`.`/empty parts, backslashes, drive letters and any colon
 * (an NTFS stream), control characters.
 */
export function profilePathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'is empty';
  if (path.length > PROFILE_PATH_MAX) return `is longer than ${PROFILE_PATH_MAX} characters`;
  if (CONTROL.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.includes(':')) return 'contains a colon (a drive letter or a stream)';
  if (path.startsWith('/')) return 'is absolute';
  if (path.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'has an empty, "." or ".." part';
  return null;
}

export type ProfileFileVerdict = { synced: true; what: string } | { synced: false; reason: string };

/** Whether `path` roams with a window that has these sync settings, and why not. */
export function profileFileVerdict(path: string, sync: SyncSettings): ProfileFileVerdict {
  const problem = profilePathProblem(path);
  if (problem) return { synced: false, reason: `${problem}: not a relative path inside the profile` };
  if (NEVER.some((re) => re.test(path))) {
    return { synced: false, reason: 'is never synced: it can make Firefox run code or change what it trusts' };
  }
  const kind = SYNCED_PROFILE_FILES.find((k) => k.pattern.test(path));
  if (!kind) return { synced: false, reason: 'is not profile data that is synced (see the README: what a roaming profile holds)' };
  if (!kind.needs.some((key) => sync[key])) {
    return { synced: false, reason: `is ${kind.what}, which this window does not sync (${kind.needs.join(' or ')} is off)` };
  }
  return { synced: true, what: kind.what };
}

export const isSyncedProfileFile = (path: string, sync: SyncSettings): boolean => profileFileVerdict(path, sync).synced;

/**
 * Whether an .xpi's entry names carry a Mozilla signature (COSE or PKCS#7 with its manifest).
 * Firefox checks the signature itself at load; an unsigned package is not carried at all.
 */
export function isSignedXpi(entryNames: readonly string[]): boolean {
  const names = new Set(entryNames.map((n) => n.toLowerCase()));
  return names.has('meta-inf/manifest.mf') && (names.has('meta-inf/cose.sig') || names.has('meta-inf/mozilla.rsa'));
}
