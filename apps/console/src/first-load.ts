import type { MeResponse } from '@cos/contracts';
import { LIMITS } from '@cos/contracts/limits';
import { api, prefetch, refresh } from './api';

/** The first page of the windows list, as the windows page asks for it unfiltered. */
export const FIRST_WINDOWS = { page: 0, pageSize: LIMITS.pageSizeMax };

/**
 * Who is signed in here, null for nobody. A reload keeps the session: the refresh cookie gives a
 * new access token. This module holds no React and is evaluated first, so the refresh, who is
 * signed in and the windows list's first rows are asked for while the rest of the console is
 * still being fetched and evaluated, not after it.
 */
export const firstSession: Promise<MeResponse | null> = refresh().then((ok) => {
  if (!ok) return null;
  if (/^#?\/?(windows)?$/.test(location.hash)) prefetch('/browser/list', FIRST_WINDOWS);
  return api<MeResponse>('/auth/me').catch(() => null);
});
