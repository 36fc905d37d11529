import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { InvalidParamError } from '@cos/contracts';
import { ProxyEndpoint, ProxyFailure } from '@cos/proxy-kit';
import { CloudConfig } from '../config/cloud-config';

/** Ranges of the public internet; everything else (loopback, private, link-local, …) is the cloud's own network. */
const PUBLIC_RANGES = new Set(['unicast']);

/**
 * Where `/proxy/check` may connect from the cloud. A saved proxy is whatever address a member
 * typed, so without a rule the check would probe the cloud's own network (closed ports answer
 * differently from open ones). Outside production, or with PROXY_CHECK_PRIVATE_TARGETS, any
 * address is allowed (proxies on a LAN or on this machine).
 */
@Injectable()
export class ProxyTargetPolicy {
  constructor(private readonly config: CloudConfig) {}

  get allowsPrivate(): boolean {
    return this.config.env.PROXY_CHECK_PRIVATE_TARGETS ?? this.config.env.NODE_ENV !== 'production';
  }

  /**
   * The endpoint with its host resolved once and pinned to the address that was checked, so a
   * name cannot resolve to a public address here and a private one at connect time. An https
   * proxy keeps its name: its certificate is checked against it.
   */
  async pin(endpoint: ProxyEndpoint): Promise<ProxyEndpoint> {
    if (this.allowsPrivate) return endpoint;
    const addresses = await lookup(endpoint.host, { all: true, verbatim: true }).catch(() => {
      throw new ProxyFailure('unreachable', endpoint, 'its name does not resolve');
    });
    for (const { address } of addresses) {
      const range = ipaddr.process(address).range();
      if (!PUBLIC_RANGES.has(range)) {
        throw new InvalidParamError(
          `host: ${endpoint.host} is a ${range} address; the cloud checks only proxies on public addresses (PROXY_CHECK_PRIVATE_TARGETS)`,
        );
      }
    }
    return endpoint.type === 'https' ? endpoint : { ...endpoint, host: addresses[0].address };
  }
}
