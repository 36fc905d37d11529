import type { BrowserFingerprint, LaunchPayload } from '@cos/contracts';
import { isValidTimezone } from '@cos/contracts';
import { languageOfCountry } from '@cos/proxy-kit';
import type { BrowserProxy, ExitInfo } from '@cos/proxy-kit';

export type Prefs = Record<string, string | number | boolean>;

/** How one window's Firefox is started: preferences, environment, arguments and the page script. */
export interface LaunchPlan {
  prefs: Prefs;
  env: Record<string, string>;
  args: string[];
  /** Runs before any page script in every tab and frame (a bundled extension's MAIN-world script). */
  pageScript: string;
}

const OS_TOKENS: { test: RegExp; token: string; platform: string }[] = [
  { test: /^win/i, token: 'Windows NT 10.0; Win64; x64', platform: 'Win32' },
  { test: /^mac/i, token: 'Macintosh; Intel Mac OS X 10.15', platform: 'MacIntel' },
  { test: /android/i, token: 'Android 14; Mobile', platform: 'Linux armv81' },
  { test: /linux/i, token: 'X11; Linux x86_64', platform: 'Linux x86_64' },
];

function osOf(fp: BrowserFingerprint) {
  const text = `${fp.ostype === 'Android' ? 'android' : ''} ${fp.os ?? ''}`.trim();
  return OS_TOKENS.find((o) => o.test.test(text));
}

/** The user agent the fingerprint asks for: its own, or one derived from coreVersion and os. */
export function userAgentOf(fp: BrowserFingerprint): string | undefined {
  if (fp.userAgent) return fp.userAgent;
  const os = osOf(fp);
  if (!fp.coreVersion || !os) return undefined;
  const major = fp.coreVersion.split('.')[0];
  return `Mozilla/5.0 (${os.token}; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`;
}

export function fingerprintPlan(fp: BrowserFingerprint, realCores: number, proxied: boolean): Omit<LaunchPlan, 'prefs'> & { prefs: Prefs } {
  const prefs: Prefs = {};
  const env: Record<string, string> = {};
  const args: string[] = [];
  const overrides: string[] = [
    // Automation leaves navigator.webdriver true; an identity browser must not say so.
    `define(Navigator.prototype, 'webdriver', false);`,
  ];

  const ua = userAgentOf(fp);
  if (ua) prefs['general.useragent.override'] = ua;
  const platform = fp.platform ?? osOf(fp)?.platform;
  if (platform) {
    prefs['general.platform.override'] = platform;
    prefs['general.oscpu.override'] = osOf(fp)?.token.replace(/; Mobile$/, '') ?? platform;
  }
  if (fp.languages?.length) {
    prefs['intl.accept_languages'] = fp.languages.join(',');
    prefs['intl.locale.requested'] = fp.languages[0];
  }
  if (fp.timezone) env.TZ = fp.timezone;
  if (fp.doNotTrack !== undefined) prefs['privacy.donottrackheader.enabled'] = fp.doNotTrack;

  if (fp.hardwareConcurrency !== undefined) {
    // The preference can only lower the real count; above it the page script answers.
    if (fp.hardwareConcurrency <= realCores) prefs['dom.maxHardwareConcurrency'] = fp.hardwareConcurrency;
    else overrides.push(`define(Navigator.prototype, 'hardwareConcurrency', ${fp.hardwareConcurrency});`);
  }
  if (fp.resolution) {
    const [width, height] = fp.resolution.split('x').map(Number);
    args.push('--width', String(width), '--height', String(height));
    overrides.push(
      `define(Screen.prototype, 'width', ${width});`,
      `define(Screen.prototype, 'height', ${height});`,
      `define(Screen.prototype, 'availWidth', ${width});`,
      `define(Screen.prototype, 'availHeight', ${height - 40});`,
    );
  }

  const webrtc = fp.webrtc ?? (proxied ? 'proxy-only' : 'real');
  prefs['media.peerconnection.enabled'] = webrtc !== 'disabled';
  prefs['media.peerconnection.ice.proxy_only'] = webrtc === 'proxy-only' && proxied;
  prefs['media.peerconnection.ice.default_address_only'] = webrtc === 'proxy-only';
  prefs['media.peerconnection.ice.no_host'] = webrtc === 'proxy-only';

  const pageScript = `(() => {
  const define = (proto, name, value) => Object.defineProperty(proto, name, { get: () => value, configurable: true, enumerable: true });
  ${overrides.join('\n  ')}
})();`;
  return { prefs, env, args, pageScript };
}

/**
 * Every proxy preference, written at each launch so a removed proxy never lingers in the profile.
 * `proxy` is what Firefox connects to: a plain http or socks5 proxy, or the local bridge (http)
 * that carries credentials, TLS to the proxy and SSH.
 */
export function proxyPrefs(proxy: BrowserProxy | null): Prefs {
  const prefs: Prefs = {
    'network.proxy.type': 0,
    'network.proxy.http': '',
    'network.proxy.http_port': 0,
    'network.proxy.ssl': '',
    'network.proxy.ssl_port': 0,
    'network.proxy.socks': '',
    'network.proxy.socks_port': 0,
    'network.proxy.socks_version': 5,
    'network.proxy.socks_remote_dns': false,
    'network.proxy.share_proxy_settings': false,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': false,
    'network.proxy.autoconfig_url': '',
    'network.http.http3.enable': true,
    'network.trr.mode': 0,
  };
  if (!proxy) return prefs;
  Object.assign(prefs, {
    'network.proxy.type': 1,
    // Every request goes through the proxy, loopback included: nothing bypasses it.
    'network.proxy.allow_hijacking_localhost': true,
    // QUIC would bypass an HTTP proxy.
    'network.http.http3.enable': false,
    // DNS over HTTPS would resolve names outside the proxy.
    'network.trr.mode': 5,
  });
  if (proxy.type === 'http') {
    Object.assign(prefs, {
      'network.proxy.http': proxy.host,
      'network.proxy.http_port': proxy.port,
      'network.proxy.ssl': proxy.host,
      'network.proxy.ssl_port': proxy.port,
      'network.proxy.share_proxy_settings': true,
    });
  } else {
    // Names resolve at the proxy, never on this machine: no DNS leak.
    Object.assign(prefs, {
      'network.proxy.socks': proxy.host,
      'network.proxy.socks_port': proxy.port,
      'network.proxy.socks_remote_dns': true,
    });
  }
  return prefs;
}

/** The fingerprint with what it takes from the exit IP (timezone, languages) filled in. */
export function fingerprintForExit(fp: BrowserFingerprint, exit: ExitInfo | null): BrowserFingerprint {
  if (!exit) return fp;
  const next = { ...fp };
  if (fp.timezoneFromIp && exit.timezone && isValidTimezone(exit.timezone)) next.timezone = exit.timezone;
  const language = fp.languagesFromIp ? languageOfCountry(exit.country) : null;
  if (language) next.languages = [language, language.split('-')[0]];
  return next;
}

/**
 * Firefox's own background traffic would leave through the window's proxy: a customer's traffic
 * and an identity signal. Remote settings point nowhere (honoured with MOZ_REMOTE_SETTINGS_DEVTOOLS
 * in the environment), and connectivity checks, push and captive-portal probes are off.
 */
export const QUIET_PREFS: Prefs = {
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'dom.push.connection.enabled': false,
  'browser.region.update.enabled': false,
  'browser.region.network.url': '',
};

export function planLaunch(
  launch: LaunchPayload,
  realCores: number,
  proxy: BrowserProxy | null = null,
  exit: ExitInfo | null = null,
): LaunchPlan {
  const fingerprint = fingerprintPlan(fingerprintForExit(launch.window.browserFingerPrint ?? {}, exit), realCores, proxy !== null);
  return { ...fingerprint, prefs: { ...QUIET_PREFS, ...proxyPrefs(proxy), ...fingerprint.prefs } };
}
