import { clearsPassword, formValues, windowUpdateBody } from './window-changes';
import type { WindowRow } from './window-changes';

const row = (overrides: Partial<WindowRow>): WindowRow => ({
  id: 7,
  uuid: '00000000-0000-4000-8000-000000000007',
  name: 'shop',
  groupId: 0,
  groupName: '',
  cookieCount: 0,
  tags: [],
  remark: '',
  openStatus: 'closed',
  openDeviceId: null,
  proxyMethod: 2,
  proxyType: 'direct',
  host: '',
  port: null,
  proxyUserName: '',
  hasProxyPassword: false,
  dynamicIpUrl: '',
  isDynamicIpChangeIp: false,
  refreshProxyUrl: '',
  proxyId: null,
  browserFingerPrint: { os: 'Win32', timezone: 'Europe/Berlin', coreVersion: '128' },
  config: { syncCookies: true },
  createdAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

describe('windowUpdateBody', () => {
  it.each([
    ['a saved team proxy', { proxyMethod: 4, proxyId: 3 }],
    ['an API extraction', { proxyMethod: 3, proxyType: 'socks5', dynamicIpUrl: 'http://x.test/get', isDynamicIpChangeIp: true }],
    ['a custom proxy with a password', { proxyMethod: 2, proxyType: 'http', host: 'p.test', port: 8080, hasProxyPassword: true }],
  ] satisfies [string, Partial<WindowRow>][])('sends only the remark when only the remark of a window bound to %s changed', (_, proxy) => {
    const w = row(proxy);
    const before = formValues(w);
    expect(windowUpdateBody(w, before, { ...before, remark: 'new remark' })).toEqual({ id: 7, remark: 'new remark' });
    expect(windowUpdateBody(w, before, before)).toBeNull();
  });

  it('sends the method and the fields the new method needs when the binding changes', () => {
    const w = row({ proxyMethod: 2, proxyType: 'http', host: 'p.test', port: 8080, hasProxyPassword: true });
    const before = formValues(w);
    const toSaved = { ...before, proxyMethod: '4' as const, proxyId: '3' };
    expect(windowUpdateBody(w, before, toSaved)).toEqual({ id: 7, proxyMethod: 4, proxyId: 3 });
    expect(clearsPassword(w, before, toSaved)).toBe(true);
    const newHost = { ...before, host: 'q.test', proxyPassword: 'again' };
    expect(windowUpdateBody(w, before, newHost)).toEqual({ id: 7, host: 'q.test', proxyPassword: 'again' });
    expect(clearsPassword(w, before, newHost)).toBe(false);
  });

  it('sends the edited fingerprint whole (keys the editor does not show kept), and nothing when it is unchanged', () => {
    const w = row({});
    const before = formValues(w);
    const { os: _os, ...withoutOs } = before.fingerprint;
    expect(windowUpdateBody(w, before, { ...before, fingerprint: { ...withoutOs, languages: ['de-DE', 'en-US'] } })).toEqual({
      id: 7,
      browserFingerPrint: { timezone: 'Europe/Berlin', coreVersion: '128', languages: ['de-DE', 'en-US'] },
    });
    expect(windowUpdateBody(w, before, { ...before, fingerprint: { ...before.fingerprint } })).toBeNull();
  });

  it('gives a new window every field it was given', () => {
    const before = formValues(null);
    expect(windowUpdateBody(null, before, { ...before, name: 'fresh', fingerprint: { timezone: 'Asia/Tokyo' } })).toEqual({
      name: 'fresh',
      groupId: 0,
      browserFingerPrint: { timezone: 'Asia/Tokyo' },
      proxyMethod: 2,
      proxyType: 'direct',
      config: {},
    });
  });
});
