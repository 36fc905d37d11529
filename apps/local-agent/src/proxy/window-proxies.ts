import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { BrowserFingerprint, LaunchPayload, ProxySettings } from '@cos/contracts';
import {
  callRefreshUrl,
  DEFAULT_IP_CHECK_SERVICE,
  ExitInfo,
  fetchExtraction,
  ipCheckUrl,
  lookupExit,
  openProxyRoute,
  probeRoute,
  ProxyEndpoint,
  ProxyRoute,
} from '@cos/proxy-kit';
import { AgentConfig } from '../config/agent-config';
import { writePrivate } from '../identity/agent-files';

type LaunchProxy = LaunchPayload['proxy'];

/** A window's proxy, made ready before its Firefox starts. */
export interface PreparedProxy {
  /** null: the window connects directly. */
  route: ProxyRoute | null;
  /** Where the window's traffic leaves, when an IP check ran. */
  exit: ExitInfo | null;
}

interface Extraction {
  dynamicIpUrl: string;
  endpoint: ProxyEndpoint;
  fetchedAt: string;
}

/**
 * Resolves each window's proxy (custom, extracted from an API, or a saved team proxy), opens
 * the route Firefox uses (a bridge on 127.0.0.1 where Firefox cannot reach the proxy by itself),
 * proves it carries traffic, runs the IP check, and closes the route with the window.
 */
@Injectable()
export class WindowProxies implements OnApplicationShutdown {
  private readonly logger = new Logger(WindowProxies.name);
  private readonly routes = new Map<string, ProxyRoute>();

  constructor(private readonly config: AgentConfig) {}

  private get timeoutMs(): number {
    return this.config.env.AGENT_PROXY_TIMEOUT_MS;
  }

  /** Every step is bounded by the proxy timeout; on any failure nothing of the route stays open. */
  async prepare(uuid: string, launch: LaunchPayload): Promise<PreparedProxy> {
    await this.release(uuid);
    const endpoint = await this.endpointOf(uuid, launch.proxy);
    const lookupUrl = this.lookupUrlFor(launch.proxy, launch.window.browserFingerPrint ?? {});
    if (!endpoint) {
      return { route: null, exit: lookupUrl ? await lookupExit(null, lookupUrl, this.timeoutMs) : null };
    }
    const route = await openProxyRoute(endpoint, { timeoutMs: this.timeoutMs, ca: this.config.proxyCa });
    try {
      const [host, port] = this.config.env.AGENT_PROXY_PROBE_TARGET.split(':');
      await probeRoute(route, { host, port: Number(port) }, this.timeoutMs);
      const exit = lookupUrl ? await lookupExit(route, lookupUrl, this.timeoutMs) : null;
      this.routes.set(uuid, route);
      return { route, exit };
    } catch (error) {
      await route.close();
      throw error;
    }
  }

  /** The window's Firefox can answer its bridge's challenge now (see BridgeGate). */
  browserReady(uuid: string): void {
    this.routes.get(uuid)?.challenge();
  }

  async release(uuid: string): Promise<void> {
    const route = this.routes.get(uuid);
    this.routes.delete(uuid);
    await route?.close();
  }

  /** Bridges and tunnels open now (one per running window whose proxy needs one). */
  openRoutes(): number {
    return [...this.routes.values()].filter((r) => r.bridged).length;
  }

  /**
   * Calls the window's refreshProxyUrl (the provider rotates the exit IP) and forgets the last
   * extraction, so the next open of an API-extracted proxy fetches a fresh one.
   */
  async refresh(uuid: string, proxy: Pick<ProxySettings, 'refreshProxyUrl' | 'proxyMethod'>) {
    const refreshed = proxy.refreshProxyUrl ? await callRefreshUrl(proxy.refreshProxyUrl, this.timeoutMs) : null;
    const hadExtraction = existsSync(this.extractionPath(uuid));
    rmSync(this.extractionPath(uuid), { force: true });
    return { refreshed: refreshed !== null, refreshStatus: refreshed?.status ?? null, extractionCleared: hadExtraction };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.routes.keys()].map((uuid) => this.release(uuid)));
  }

  private lookupUrlFor(proxy: LaunchProxy, fingerprint: BrowserFingerprint): string | null {
    const wanted = proxy.ipCheckService !== '' || fingerprint.timezoneFromIp === true || fingerprint.languagesFromIp === true;
    return wanted ? ipCheckUrl(proxy.ipCheckService || DEFAULT_IP_CHECK_SERVICE, this.config.env.AGENT_IP_CHECK_URL) : null;
  }

  private async endpointOf(uuid: string, proxy: LaunchProxy): Promise<ProxyEndpoint | null> {
    if (proxy.proxyMethod === 3) return this.extracted(uuid, proxy);
    if (proxy.proxyType === 'direct') return null;
    return { type: proxy.proxyType, host: proxy.host, port: proxy.port ?? 0, username: proxy.proxyUserName, password: proxy.proxyPassword };
  }

  /** API extraction: a new proxy at every open with isDynamicIpChangeIp, else the last one again. */
  private async extracted(uuid: string, proxy: LaunchProxy): Promise<ProxyEndpoint> {
    const path = this.extractionPath(uuid);
    if (!proxy.isDynamicIpChangeIp && existsSync(path)) {
      try {
        const last = JSON.parse(readFileSync(path, 'utf8')) as Extraction;
        if (last.dynamicIpUrl === proxy.dynamicIpUrl) return last.endpoint;
      } catch {
        // unreadable: extract again
      }
    }
    const type = proxy.proxyType === 'direct' ? 'http' : proxy.proxyType;
    const endpoint = await fetchExtraction(proxy.dynamicIpUrl, type, this.timeoutMs);
    const extraction: Extraction = { dynamicIpUrl: proxy.dynamicIpUrl, endpoint, fetchedAt: new Date().toISOString() };
    writePrivate(path, JSON.stringify(extraction));
    return endpoint;
  }

  private extractionPath(uuid: string): string {
    return this.config.path('proxy-extractions', `${uuid}.json`);
  }
}
