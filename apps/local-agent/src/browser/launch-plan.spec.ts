import type { LaunchPayload } from '@cos/contracts';
import { UI_LOCALES } from '@cos/contracts';
import { resolveIdentity } from './identity';
import { identityPrefs, planLaunch, proxyPrefs } from './launch-plan';

const launchWith = (proxy: Partial<LaunchPayload['proxy']>, fingerprint = {}): LaunchPayload =>
  ({
    window: { uuid: 'u1', browserFingerPrint: fingerprint },
    proxy: { proxyMethod: 2, proxyType: 'direct', host: '', port: null, proxyUserName: '', proxyPassword: '', ...proxy },
  }) as unknown as LaunchPayload;

const DEVICE = { firefoxMajor: 153, realCores: 8, uiLocales: UI_LOCALES };
const UA_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:153.0) Gecko/20100101 Firefox/153.0';

describe('fingerprint → Firefox', () => {
  it('sets every navigator value through Firefox preferences, from the OS and the installed Firefox', () => {
    const { identity, adjustments } = resolveIdentity({ os: 'Win32', languages: ['fr-FR', 'fr'], timezone: 'Europe/Paris' }, 'u1', DEVICE);
    expect(adjustments).toEqual([]);
    const plan = identityPrefs(identity, 'headless');
    expect(plan.prefs).toMatchObject({
      'general.useragent.override': UA_WINDOWS,
      'general.platform.override': 'Win32',
      'general.oscpu.override': 'Windows NT 10.0; Win64; x64',
      'general.appversion.override': '5.0 (Windows)',
      'intl.accept_languages': 'fr-FR,fr',
      'intl.locale.requested': 'fr',
      'dom.maxHardwareConcurrency': 8,
      'gfx.bundled-fonts.activate': 0,
    });
    expect(plan.env).toEqual({ TZ: 'Europe/Paris', MOZ_HEADLESS_WIDTH: '1920', MOZ_HEADLESS_HEIGHT: '1080' });
  });

  it('sizes the headless screen and the window to the resolution, and leaves an Xvfb display to size itself', () => {
    const { identity } = resolveIdentity({ resolution: '2560x1440' }, 'u1', DEVICE);
    expect(identityPrefs(identity, 'headless').env).toMatchObject({ MOZ_HEADLESS_WIDTH: '2560', MOZ_HEADLESS_HEIGHT: '1440' });
    expect(identityPrefs(identity, 'xvfb').env).not.toHaveProperty('MOZ_HEADLESS_WIDTH');
    expect(identityPrefs(identity, 'xvfb').args).toEqual(['--width', '2560', '--height', '1440']);
    // Headless: the size is in the environment; a flag's value would open as a URL beside the remote agent.
    expect(identityPrefs(identity, 'headless').args).toEqual([]);
  });

  it('gives the GPU as the driver string Firefox sanitizes back to the claimed renderer', () => {
    const fp = {
      os: 'Win32',
      webglVendor: 'Google Inc. (AMD)',
      webglRenderer: 'ANGLE (AMD, Radeon R9 200 Series Direct3D11 vs_5_0 ps_5_0), or similar',
    };
    expect(identityPrefs(resolveIdentity(fp, 'u1', DEVICE).identity, 'headless').prefs).toMatchObject({
      'webgl.override-unmasked-vendor': 'Google Inc. (AMD)',
      'webgl.override-unmasked-renderer': 'ANGLE (AMD, Radeon R9 200 Series Direct3D11 vs_5_0 ps_5_0, D3D11)',
    });
  });

  it('opens an impossible fingerprint as the nearest coherent one, listing each change', () => {
    const chrome = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const { identity, adjustments } = resolveIdentity(
      {
        userAgent: chrome,
        coreVersion: '118',
        hardwareConcurrency: 32,
        languages: ['sw-KE'],
        resolution: '640x480',
        canvasNoise: 1,
      } as never,
      'u1',
      DEVICE,
    );
    expect(identity).toMatchObject({
      os: 'macos',
      platform: 'MacIntel',
      hardwareConcurrency: 8,
      languages: ['en-US', 'en'],
      screen: { width: 800, height: 600 },
    });
    expect(identity.userAgent).toBe('Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:153.0) Gecko/20100101 Firefox/153.0');
    expect(adjustments.map((a) => a.field).sort()).toEqual([
      'canvasNoise',
      'coreVersion',
      'hardwareConcurrency',
      'languages',
      'resolution',
      'userAgent',
    ]);
  });

  it('seeds the noise from the window, or from its noiseSeed, the same on every device', () => {
    const a = resolveIdentity({}, 'uuid-a', DEVICE).identity.noiseSeed;
    expect(resolveIdentity({}, 'uuid-a', { ...DEVICE, realCores: 2 }).identity.noiseSeed).toBe(a);
    expect(resolveIdentity({}, 'uuid-b', DEVICE).identity.noiseSeed).not.toBe(a);
    expect(resolveIdentity({ noiseSeed: '0123456789abcdef' }, 'uuid-a', DEVICE).identity.noiseSeed).not.toBe(a);
  });

  it('keeps WebRTC to the proxy when a proxy is set, and can turn it off', () => {
    const plan = (fp: object, proxied: boolean) =>
      planLaunch(launchWith({}, fp), DEVICE, 'headless', proxied ? { type: 'http', host: '127.0.0.1', port: 1 } : null).prefs;
    expect(plan({}, true)).toMatchObject({
      'media.peerconnection.enabled': true,
      'media.peerconnection.ice.proxy_only': true,
      'media.peerconnection.ice.no_host': true,
    });
    expect(plan({ webrtc: 'disabled' }, true)['media.peerconnection.enabled']).toBe(false);
    expect(plan({}, false)['media.peerconnection.ice.proxy_only']).toBe(false);
  });
});

describe('proxy → Firefox', () => {
  it('writes every proxy preference, type 0 included, when there is none', () => {
    const direct = proxyPrefs(null);
    expect(direct).toMatchObject({
      'network.proxy.type': 0,
      'network.proxy.http': '',
      'network.proxy.socks': '',
      'network.proxy.socks_port': 0,
      'network.http.http3.enable': true,
    });
  });

  it('routes http and socks5, with remote DNS for socks, HTTP/3 and DNS over HTTPS off', () => {
    expect(proxyPrefs({ type: 'http', host: 'p', port: 8080 })).toMatchObject({
      'network.proxy.type': 1,
      'network.proxy.http': 'p',
      'network.proxy.ssl_port': 8080,
      'network.http.http3.enable': false,
      'network.trr.mode': 5,
      'network.proxy.socks': '',
    });
    expect(proxyPrefs({ type: 'socks5', host: 's', port: 1080 })).toMatchObject({
      'network.proxy.socks': 's',
      'network.proxy.socks_remote_dns': true,
      'network.proxy.socks_version': 5,
      'network.http.http3.enable': false,
      'network.proxy.http': '',
    });
    expect(
      planLaunch(launchWith({ proxyType: 'socks5', host: 'h', port: 1 }, { webrtc: 'real' }), DEVICE, 'headless', {
        type: 'socks5',
        host: 'h',
        port: 1,
      }).prefs,
    ).toMatchObject({ 'network.proxy.socks': 'h', 'media.peerconnection.ice.proxy_only': false });
  });

  it('takes timezone and languages from the exit IP only when the fingerprint asks', () => {
    const exit = { ip: '203.0.113.9', country: 'BR', timezone: 'America/Sao_Paulo' };
    const following = planLaunch(
      launchWith({}, { timezone: 'Asia/Tokyo', languages: ['ja-JP'], timezoneFromIp: true, languagesFromIp: true }),
      DEVICE,
      'headless',
      null,
      exit,
    );
    expect(following.env.TZ).toBe('America/Sao_Paulo');
    expect(following.prefs['intl.accept_languages']).toBe('pt-BR,pt');
    const fixed = planLaunch(launchWith({}, { timezone: 'Asia/Tokyo', languages: ['ja-JP'] }), DEVICE, 'headless', null, exit);
    expect(fixed.env.TZ).toBe('Asia/Tokyo');
    expect(fixed.prefs['intl.accept_languages']).toBe('ja-JP');
    const badLookup = planLaunch(launchWith({}, { timezone: 'Asia/Tokyo', timezoneFromIp: true }), DEVICE, 'headless', null, {
      ip: '1.2.3.4',
      country: '',
      timezone: 'Not/AZone',
    });
    expect(badLookup.env.TZ).toBe('Asia/Tokyo');
  });
});
