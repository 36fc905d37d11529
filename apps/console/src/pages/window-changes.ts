// From its own file: the contracts' index would bring every check and table into the page.
import { PROXY_TYPES } from '@cos/contracts/proxy';
import type { WindowResponse } from '@cos/contracts';

/** A window as `/browser/list` and `/browser/detail` answer it (the fields the console uses). */
export type WindowRow = Pick<
  WindowResponse,
  | 'id'
  | 'uuid'
  | 'name'
  | 'groupId'
  | 'groupName'
  | 'tags'
  | 'remark'
  | 'openStatus'
  | 'openDeviceId'
  | 'proxyMethod'
  | 'proxyType'
  | 'host'
  | 'port'
  | 'proxyUserName'
  | 'hasProxyPassword'
  | 'dynamicIpUrl'
  | 'isDynamicIpChangeIp'
  | 'refreshProxyUrl'
  | 'proxyId'
  | 'browserFingerPrint'
  | 'config'
  | 'createdAt'
  | 'cookieCount'
>;

export interface Named {
  id: number;
  name: string;
}

/** 2: a proxy typed in; 3: a proxy an extraction API hands out at open; 4: a saved team proxy. */
export type ProxyMethodValue = '2' | '3' | '4';
export const PROXY_METHOD_LABELS: Record<ProxyMethodValue, string> = {
  '2': 'Custom proxy',
  '3': 'API extraction',
  '4': 'Saved team proxy',
};
export const CUSTOM_PROXY_TYPES: readonly string[] = PROXY_TYPES;
/** What an extraction API's `host:port` lines are taken as. */
export const EXTRACTED_PROXY_TYPES = ['http', 'https', 'socks5'];

/** The window form's fields as its inputs hold them. */
export interface WindowFormValues {
  name: string;
  groupId: string;
  remark: string;
  /** The whole fingerprint, as the fingerprint editor holds it (keys it does not show included). */
  fingerprint: Record<string, unknown>;
  proxyMethod: ProxyMethodValue;
  proxyType: string;
  host: string;
  port: string;
  proxyUserName: string;
  /** Typed to set or replace the stored one; empty sends nothing. */
  proxyPassword: string;
  dynamicIpUrl: string;
  isDynamicIpChangeIp: boolean;
  refreshProxyUrl: string;
  /** A saved proxy's id, or empty. */
  proxyId: string;
}

/** The proxy fields each method uses besides `proxyMethod`; a custom proxy of type direct uses only its type. */
function proxyFieldsOf(values: WindowFormValues): Exclude<keyof WindowFormValues, 'fingerprint'>[] {
  switch (values.proxyMethod) {
    case '2':
      return values.proxyType === 'direct'
        ? ['proxyType']
        : ['proxyType', 'host', 'port', 'proxyUserName', 'proxyPassword', 'refreshProxyUrl'];
    case '3':
      return ['proxyType', 'dynamicIpUrl', 'isDynamicIpChangeIp', 'refreshProxyUrl'];
    case '4':
      return ['proxyId'];
  }
}

function methodOf(value: number | undefined): ProxyMethodValue {
  return value === 3 ? '3' : value === 4 ? '4' : '2';
}

export function formValues(w: WindowRow | null): WindowFormValues {
  return {
    name: w?.name ?? '',
    groupId: String(w?.groupId ?? 0),
    remark: w?.remark ?? '',
    fingerprint: { ...w?.browserFingerPrint },
    proxyMethod: methodOf(w?.proxyMethod),
    proxyType: w?.proxyType || 'direct',
    host: w?.host ?? '',
    port: w?.port ? String(w.port) : '',
    proxyUserName: w?.proxyUserName ?? '',
    proxyPassword: '',
    dynamicIpUrl: w?.dynamicIpUrl ?? '',
    isDynamicIpChangeIp: w?.isDynamicIpChangeIp ?? false,
    refreshProxyUrl: w?.refreshProxyUrl ?? '',
    proxyId: w?.proxyId ? String(w.proxyId) : '',
  };
}

/** A form field as `/browser/update` takes it. */
function apiValue(field: keyof WindowFormValues, values: WindowFormValues): unknown {
  return field === 'groupId' || field === 'port' || field === 'proxyId' || field === 'proxyMethod' ? Number(values[field]) : values[field];
}

/** Whether two fingerprints hold the same keys and values (as JSON sends them: unset keys drop out). */
function sameFingerprint(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The body of `/browser/update` for the form. A new window gets every field it was given. An
 * edited window gets only what the user changed: the cloud keeps every field not sent, so a
 * remark edit leaves the proxy as it is, whatever its method, and fields the form does not show
 * (tags, config, IP check service, …) are never overwritten. Null when nothing changed.
 */
export function windowUpdateBody(w: WindowRow | null, before: WindowFormValues, after: WindowFormValues): Record<string, unknown> | null {
  const changed = (field: Exclude<keyof WindowFormValues, 'fingerprint'>) =>
    w === null ? after[field] !== '' : after[field] !== before[field];
  const body: Record<string, unknown> = {};
  for (const field of ['name', 'groupId', 'remark'] as const)
    if (changed(field) || (w === null && field === 'groupId')) body[field] = apiValue(field, after);
  // A new window without one gets a coherent fingerprint from the cloud's generator.
  if (w === null ? Object.keys(after.fingerprint).length > 0 : !sameFingerprint(after.fingerprint, before.fingerprint)) {
    body.browserFingerPrint = after.fingerprint;
  }
  if (w === null || after.proxyMethod !== before.proxyMethod) body.proxyMethod = apiValue('proxyMethod', after);
  for (const field of proxyFieldsOf(after)) {
    // A password is sent only when typed: an empty box means "keep the stored one".
    if (field === 'proxyPassword' ? after.proxyPassword !== '' : changed(field) || (w === null && field === 'proxyType')) {
      body[field] = apiValue(field, after);
    }
  }
  if (w === null) return { ...body, config: {} };
  return Object.keys(body).length > 0 ? { id: w.id, ...body } : null;
}

/** Whether saving would move a stored password's endpoint without the password typed again, which clears it. */
export function clearsPassword(w: WindowRow | null, before: WindowFormValues, after: WindowFormValues): boolean {
  if (!w?.hasProxyPassword || after.proxyPassword !== '') return false;
  return (['proxyMethod', 'proxyType', 'host', 'port'] as const).some((field) => after[field] !== before[field]);
}
