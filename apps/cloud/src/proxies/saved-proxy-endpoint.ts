import type { ProxyEndpoint } from '@cos/proxy-kit';
import { SecretBox } from '../crypto/secret-box';
import { SavedProxyEntity } from './saved-proxy.entity';

/** A saved proxy with its password opened: for connecting through it, never for an answer to a user. */
export function savedProxyEndpoint(proxy: SavedProxyEntity, box: SecretBox): ProxyEndpoint {
  return {
    type: proxy.proxyType,
    host: proxy.host,
    port: proxy.port,
    username: proxy.username,
    password: proxy.passwordSealed ? box.open(proxy.passwordSealed) : '',
  };
}
