import type { LaunchPayload } from '@cos/contracts';
import { fingerprintPlan, planLaunch, proxyPrefs, userAgentOf } from './launch-plan';

const launchWith = (proxy: Partial<LaunchPayload['proxy']>, fingerprint = {}): LaunchPayload =>
  ({
    window: { browserFingerPrint: fingerprint },
    proxy: { proxyMethod: 2, proxyType: 'direct', host: '', port: null, proxyUserName: '', proxyPassword: '', ...proxy },
  }) as unknown as LaunchPayload;

describe('fingerprint → Firefox', () => {
  it('derives the user agent from coreVersion and os, or takes the given one', () => {
    expect(userAgentOf({ coreVersion: '118', os: 'Win32' })).toBe(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:118.0) Gecko/20100101 Firefox/118.0',
    );
    expect(userAgentOf({ coreVersion: '128.0', os: 'MacIntel' })).toContain('Macintosh; Intel Mac OS X 10.15; rv:128.0');
    expect(userAgentOf({ coreVersion: '120', ostype: 'Android', os: 'Linux' })).toContain('Android 14; Mobile');
    expect(userAgentOf({ userAgent: 'custom' })).toBe('custom');
    expect(userAgentOf({ coreVersion: '118' })).toBeUndefined();
  });

  it('maps languages, timezone, do-not-track and platform to preferences and the environment', () => {
    const plan = fingerprintPlan({ languages: ['fr-FR', 'fr'], timezone: 'Europe/Paris', doNotTrack: false, os: 'Win32' }, 8, false);
    expect(plan.prefs).toMatchObject({
      'intl.accept_languages': 'fr-FR,fr',
      'intl.locale.requested': 'fr-FR',
      'privacy.donottrackheader.enabled': false,
      'general.platform.override': 'Win32',
    });
    expect(plan.env).toEqual({ TZ: 'Europe/Paris' });
  });

  it('lowers hardwareConcurrency by preference and raises it by page script', () => {
    expect(fingerprintPlan({ hardwareConcurrency: 2 }, 8, false).prefs['dom.maxHardwareConcurrency']).toBe(2);
    const raised = fingerprintPlan({ hardwareConcurrency: 32 }, 8, false);
    expect(raised.prefs).not.toHaveProperty('dom.maxHardwareConcurrency');
    expect(raised.pageScript).toContain("define(Navigator.prototype, 'hardwareConcurrency', 32)");
  });

  it('sets the screen through the page script and the window size through arguments', () => {
    const plan = fingerprintPlan({ resolution: '2560x1440' }, 8, false);
    expect(plan.args).toEqual(['--width', '2560', '--height', '1440']);
    expect(plan.pageScript).toContain("define(Screen.prototype, 'width', 2560)");
  });

  it('keeps WebRTC to the proxy when a proxy is set, and can turn it off', () => {
    expect(fingerprintPlan({}, 8, true).prefs).toMatchObject({
      'media.peerconnection.enabled': true,
      'media.peerconnection.ice.proxy_only': true,
      'media.peerconnection.ice.no_host': true,
    });
    expect(fingerprintPlan({ webrtc: 'disabled' }, 8, true).prefs['media.peerconnection.enabled']).toBe(false);
    expect(fingerprintPlan({}, 8, false).prefs['media.peerconnection.ice.proxy_only']).toBe(false);
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
      planLaunch(launchWith({ proxyType: 'socks5', host: 'h', port: 1 }, { webrtc: 'real' }), 8, { type: 'socks5', host: 'h', port: 1 })
        .prefs,
    ).toMatchObject({ 'network.proxy.socks': 'h', 'media.peerconnection.ice.proxy_only': false });
  });

  it('takes timezone and languages from the exit IP only when the fingerprint asks', () => {
    const exit = { ip: '203.0.113.9', country: 'BR', timezone: 'America/Sao_Paulo' };
    const following = planLaunch(
      launchWith({}, { timezone: 'Asia/Tokyo', languages: ['ja-JP'], timezoneFromIp: true, languagesFromIp: true }),
      8,
      null,
      exit,
    );
    expect(following.env.TZ).toBe('America/Sao_Paulo');
    expect(following.prefs['intl.accept_languages']).toBe('pt-BR,pt');
    const fixed = planLaunch(launchWith({}, { timezone: 'Asia/Tokyo', languages: ['ja-JP'] }), 8, null, exit);
    expect(fixed.env.TZ).toBe('Asia/Tokyo');
    expect(fixed.prefs['intl.accept_languages']).toBe('ja-JP');
    const badLookup = planLaunch(launchWith({}, { timezone: 'Asia/Tokyo', timezoneFromIp: true }), 8, null, {
      ip: '1.2.3.4',
      country: '',
      timezone: 'Not/AZone',
    });
    expect(badLookup.env.TZ).toBe('Asia/Tokyo');
  });
});
