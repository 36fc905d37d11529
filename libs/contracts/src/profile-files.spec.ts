import { syncSettingsOf } from './fingerprint';
import { isSignedXpi, isSyncedProfileFile, profileFileVerdict, profilePathProblem } from './profile-files';

const ALL = syncSettingsOf({});
const NONE = syncSettingsOf({
  syncCookies: false,
  syncLocalStorage: false,
  syncIndexedDB: false,
  syncHistory: false,
  syncBookmarks: false,
  syncPasswords: false,
  syncExtensions: false,
});

describe('profilePathProblem', () => {
  it('takes relative "/"-separated paths', () => {
    for (const ok of ['cookies.sqlite', 'storage/default/https+++a.test/idb/1.sqlite', 'a/b.c']) expect(profilePathProblem(ok)).toBeNull();
  });
  it('refuses whatever could land outside the profile on any system', () => {
    const bad: [string, string][] = [
      ['', 'empty'],
      ['/etc/passwd', 'absolute'],
      ['../local-token', '".."'],
      ['a/../../b', '".."'],
      ['a//b', 'empty'],
      ['./a', '"."'],
      ['a\\..\\b', 'backslash'],
      ['C:/Windows/x', 'colon'],
      ['c:x', 'colon'],
      ['cookies.sqlite:stream', 'colon'],
      ['a\nb', 'control'],
      ['x'.repeat(1025), 'longer'],
    ];
    for (const [path, reason] of bad) expect([path, profilePathProblem(path)]).toEqual([path, expect.stringContaining(reason)]);
  });
});

describe('the synced profile files', () => {
  it('carry the data a window syncs', () => {
    const synced = [
      'cookies.sqlite',
      'cookies.sqlite-wal',
      'places.sqlite',
      'favicons.sqlite',
      'formhistory.sqlite',
      'bookmarkbackups/bookmarks-2026-01-01_12_abc.jsonlz4',
      'webappsstore.sqlite',
      'storage/default/https+++shop.test/ls/data.sqlite',
      'storage/default/https+++shop.test/ls/usage',
      'storage/default/http+++localhost+8080/idb/3870112724rsegmnoittet-es.sqlite',
      'storage/default/https+++shop.test^userContextId=2/idb/x.files/12',
      'storage/default/https+++shop.test/.metadata-v2',
      'logins.json',
      'key4.db',
      'extensions/uBlock0@raymondhill.net.xpi',
      'extensions/{446900e4-71c2-419f-a6a7-df9c091e268b}.xpi',
    ];
    for (const path of synced) expect([path, profileFileVerdict(path, ALL)]).toEqual([path, expect.objectContaining({ synced: true })]);
  });

  it('never carry code or what changes Firefox security, whatever the settings', () => {
    const never = [
      'prefs.js',
      'user.js',
      'pkcs11.txt',
      'secmod.db',
      'cert9.db',
      'cert8.db',
      'policies.json',
      'distribution/policies.json',
      'handlers.json',
      'extensions.json',
      'compatibility.ini',
      'libevil.so',
      'extensions/evil.so',
      'extensions/evil.dll',
      'storage/default/https+++a.test/idb/x.dylib',
      'extensions/x.xpi/../prefs.js',
    ];
    for (const path of never) expect([path, isSyncedProfileFile(path, ALL)]).toEqual([path, false]);
    expect(profileFileVerdict('pkcs11.txt', ALL)).toEqual({ synced: false, reason: expect.stringContaining('never synced') });
  });

  it('leave out what Firefox rebuilds by itself', () => {
    const regenerated = [
      'cache2/entries/ABC',
      'startupCache/startupCache.8.little',
      'safebrowsing/google4/goog-phish-proto.vlpset',
      'crashes/store.json.mozlz4',
      'minidumps/x.dmp',
      'datareporting/state.json',
      'storage/default/https+++a.test/cache/caches.sqlite',
      'storage/permanent/chrome/idb/1.sqlite',
      'storage/default/moz-extension+++0b1c/idb/1.sqlite',
      'sessionstore-backups/recovery.jsonlz4',
      'times.json',
      'permissions.sqlite',
      'extensions/staged/x.xpi',
      'extension-settings.json',
    ];
    for (const path of regenerated) expect([path, isSyncedProfileFile(path, ALL)]).toEqual([path, false]);
  });

  it('follow the sync settings: nothing is carried with every setting off', () => {
    for (const path of [
      'cookies.sqlite',
      'places.sqlite',
      'logins.json',
      'key4.db',
      'extensions/a@b.xpi',
      'storage/default/https+++a.test/ls/data.sqlite',
    ])
      expect([path, isSyncedProfileFile(path, NONE)]).toEqual([path, false]);
    expect(profileFileVerdict('extensions/a@b.xpi', NONE)).toEqual({
      synced: false,
      reason: expect.stringContaining('syncExtensions is off'),
    });
    // Bookmarks live in places.sqlite with history: either setting brings it.
    expect(isSyncedProfileFile('places.sqlite', { ...NONE, syncBookmarks: true })).toBe(true);
    expect(isSyncedProfileFile('storage/default/https+++a.test/idb/1.sqlite', { ...NONE, syncLocalStorage: true })).toBe(false);
  });
});

describe('isSignedXpi', () => {
  it('wants a signature beside the manifest', () => {
    expect(isSignedXpi(['manifest.json', 'META-INF/manifest.mf', 'META-INF/mozilla.sf', 'META-INF/mozilla.rsa'])).toBe(true);
    expect(isSignedXpi(['manifest.json', 'META-INF/cose.manifest', 'META-INF/cose.sig', 'META-INF/manifest.mf'])).toBe(true);
    expect(isSignedXpi(['manifest.json', 'background.js'])).toBe(false);
  });
});
