import { BrowserFingerprint, SyncSettings, WindowConfig } from './fingerprint';
import { ProxySettings } from './proxy';

export const OPEN_STATUSES = ['closed', 'opening', 'opened', 'closing'] as const;

/** What `/browser/list` may order by (newest first when none is named). */
export const WINDOW_SORT_FIELDS = ['createdAt', 'name'] as const;
export type WindowSortField = (typeof WINDOW_SORT_FIELDS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export type OpenStatus = (typeof OPEN_STATUSES)[number];

export interface WindowTag {
  id: number;
  name: string;
}

export interface WindowResponse extends ProxySettings {
  id: number;
  browserId: number;
  uuid: string;
  seq: number;
  name: string;
  groupId: number;
  groupName: string;
  tagIds: number[];
  tags: WindowTag[];
  remark: string;
  browserFingerPrint: BrowserFingerprint;
  config: WindowConfig;
  openStatus: OpenStatus;
  openDeviceId: string | null;
  createdAt: string;
  updatedAt: string;
  createdBy: number | null;
  deletedAt: string | null;
  /** How many cookies the cloud keeps for the window. */
  cookieCount: number;
  /** Only in an edit's answer: the proxy's endpoint changed without its password, which was dropped. */
  proxyPasswordCleared?: true;
}

export interface PageResult<T> {
  list: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const COOKIE_SAME_SITE = ['strict', 'lax', 'none', 'default'] as const;
export type CookieSameSite = (typeof COOKIE_SAME_SITE)[number];

/** A cookie as stored in the cloud and exchanged with the agent (WebDriver BiDi shape, value as text). */
export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** `default`: the site named no SameSite attribute, and the browser applies its own rule. */
  sameSite: CookieSameSite;
  /** Seconds since the epoch; absent for a session cookie. */
  expiry?: number;
}

/** What `/browser/launch` hands the agent: everything needed to start one window. */
export interface LaunchPayload {
  window: WindowResponse;
  proxy: Omit<ProxySettings, 'hasProxyPassword'>;
  sync: SyncSettings;
  cookies: StoredCookie[];
  /**
   * Moved by every import that replaces the stored cookies: a profile copy made in another epoch
   * holds cookies the window no longer has, and opens without them.
   */
  cookiesEpoch: number;
  profile: { zipName: string; zipSize: number; sha256: string } | null;
  /** The roaming profile's current version in the cloud; null before the first commit. */
  profileVersion: number | null;
  leaseSeconds: number;
  /** The window's open status as it was before this launch took the lease. */
  before: { openStatus: OpenStatus; openDeviceId: string | null };
}
