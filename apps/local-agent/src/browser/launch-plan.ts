import type { BrowserFingerprint, LaunchPayload } from '@cos/contracts';
import { isValidTimezone, webglDriverString } from '@cos/contracts';
import { languageOfCountry } from '@cos/proxy-kit';
import type { BrowserProxy, ExitInfo } from '@cos/proxy-kit';
import type { DisplayMode } from '../config/agent-config';
import { Adjustment, DeviceFacts, Identity, resolveIdentity } from './identity';
import { pageRealmScript } from './page-realm';
import { EXPERIMENT_PREFS, workerExtensionFiles } from './worker-extension';

export type Prefs = Record<string, string | number | boolean>;

/** How one window's Firefox is started: preferences, environment, arguments and the page script. */
export interface LaunchPlan {
  prefs: Prefs;
  env: Record<string, string>;
  /** The browser window's outer size, stored in the profile as Firefox keeps it (xulstore.json). */
  windowSize: { width: number; height: number };
  /** Runs before any page script in every tab and frame (the bundled extension's content script). */
  contentScript: string;
  /** The extension's privileged files that give every worker the same noise (worker-extension.ts). */
  workerFiles: Record<string, string>;
  /** What every page of the window reads. */
  identity: Identity;
  /** Where the stored fingerprint could not be shown as it is, and what is shown instead. */
  adjustments: Adjustment[];
}

const NO_SESSION_NOISE = '-EfficientCanvasRandomization,-CanvasRandomization,-WebGLRandomization';

/** Pointer capabilities Firefox reports (LookAndFeel): a fine pointer that hovers, as a mouse. */
const MOUSE = 2 | 4;

/**
 * The identity through Firefox's own switches, which leave nothing for a page to find: user agent,
 * platform, oscpu and appVersion in pages and workers alike; UI locale (a language pack) so Intl,
 * date names and hour cycles follow the languages; a core count every worker agrees with; the
 * screen (headless: MOZ_HEADLESS_WIDTH/HEIGHT; an Xvfb display is made to the size instead); the
 * GPU, given as the driver string Firefox sanitizes back to the claimed one.
 */
export function identityPrefs(identity: Identity, display: DisplayMode): Pick<LaunchPlan, 'prefs' | 'env' | 'windowSize'> {
  const prefs: Prefs = {
    'general.useragent.override': identity.userAgent,
    'general.platform.override': identity.platform,
    'general.oscpu.override': identity.oscpu,
    'general.appversion.override': identity.appVersion,
    'intl.accept_languages': identity.languages.join(','),
    'intl.locale.requested': identity.uiLocale,
    'dom.maxHardwareConcurrency': identity.hardwareConcurrency,
    'webgl.override-unmasked-vendor': identity.webgl.vendor,
    'webgl.override-unmasked-renderer': webglDriverString(identity.webgl.renderer),
    'ui.primaryPointerCapabilities': MOUSE,
    'ui.allPointerCapabilities': MOUSE,
    // Firefox's own canvas randomization keys its noise to a random id per browser run (not
    // settable): a window would read differently at every open. The window's seeded noise replaces it.
    'privacy.baselineFingerprintingProtection.overrides': NO_SESSION_NOISE,
    'privacy.fingerprintingProtection.overrides': NO_SESSION_NOISE,
  };
  // Firefox brings its own emoji font only where the OS has none of its own (Linux).
  if (identity.os !== 'linux') prefs['gfx.bundled-fonts.activate'] = 0;
  if (identity.doNotTrack !== undefined) prefs['privacy.donottrackheader.enabled'] = identity.doNotTrack;
  const env: Record<string, string> = {};
  if (identity.timezone) env.TZ = identity.timezone;
  const { width, height } = identity.screen;
  if (display === 'headless') {
    env.MOZ_HEADLESS_WIDTH = String(width);
    env.MOZ_HEADLESS_HEIGHT = String(height);
  }
  // As large as the screen it is on, never larger. Not given as `--width`/`--height`: a Firefox
  // that does not take those flags opens their numbers as addresses, in tabs of their own.
  return { prefs, env, windowSize: { width, height } };
}

function webrtcPrefs(fp: BrowserFingerprint, proxied: boolean): Prefs {
  const webrtc = fp.webrtc ?? (proxied ? 'proxy-only' : 'real');
  return {
    'media.peerconnection.enabled': webrtc !== 'disabled',
    'media.peerconnection.ice.proxy_only': webrtc === 'proxy-only' && proxied,
    'media.peerconnection.ice.default_address_only': webrtc === 'proxy-only',
    'media.peerconnection.ice.no_host': webrtc === 'proxy-only',
  };
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
  device: DeviceFacts,
  display: DisplayMode,
  proxy: BrowserProxy | null = null,
  exit: ExitInfo | null = null,
): LaunchPlan {
  const fingerprint = fingerprintForExit(launch.window.browserFingerPrint ?? {}, exit);
  const { identity, adjustments } = resolveIdentity(fingerprint, launch.window.uuid, device);
  const native = identityPrefs(identity, display);
  return {
    ...native,
    prefs: { ...QUIET_PREFS, ...EXPERIMENT_PREFS, ...proxyPrefs(proxy), ...webrtcPrefs(fingerprint, proxy !== null), ...native.prefs },
    contentScript: pageRealmScript({ seed: identity.noiseSeed }),
    workerFiles: workerExtensionFiles(identity.noiseSeed),
    identity,
    adjustments,
  };
}
