import type { MeResponse } from '@cos/contracts';
import { LIMITS } from '@cos/contracts/limits';
import { api, prefetch, refresh, refreshedMe } from './api';
import { can } from './can';

/** The first page of the windows list, as the windows page asks for it unfiltered. */
export const FIRST_WINDOWS = { page: 0, pageSize: LIMITS.pageSizeMax };

/**
 * Who is signed in here, null for nobody. A reload keeps the session: the refresh cookie gives a
 * new access token, and its answer says who it signs in (else /auth/me is asked). This module
 * holds no React and is evaluated first, so the refresh and the windows list's first rows are
 * asked for while the rest of the console is still being fetched and evaluated, not after it;
 * the page is drawn while the rows are on their way, and they are not asked for by someone who
 * may not list windows.
 */
export const firstSession: Promise<MeResponse | null> = refresh().then((ok) => {
  if (!ok) return null;
  const me = refreshedMe();
  if (/^#?\/?(windows)?$/.test(location.hash) && (!me || can(me, 'browser:list'))) prefetch('/browser/list', FIRST_WINDOWS);
  return me ?? api<MeResponse>('/auth/me').catch(() => null);
});
