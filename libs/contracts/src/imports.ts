import { InvalidParamError } from './errors';
import { hiddenCharacterIn } from './plain-text';
import { isProxyHost } from './proxy';
import type { SavedProxyType } from './proxy';

/** Rows one `/browser/import` call takes; a file of more is sent in batches. */
export const IMPORT_ROWS_MAX = 500;
/** Lines one `/proxy/import` call takes. */
export const PROXY_LINES_MAX = 500;

export interface ProxyLine {
  proxyType: SavedProxyType;
  host: string;
  port: number;
  proxyUserName: string;
  proxyPassword: string;
}

const SCHEMES: Record<string, SavedProxyType> = { http: 'http', https: 'https', socks5: 'socks5', socks: 'socks5', socks5h: 'socks5' };

/**
 * One proxy as operators paste them: `type://user:pass@host:port`, `type://host:port`,
 * `host:port` or `host:port:user:pass` (http when no type is named). Only http, https and socks5;
 * the user name and password may be percent-encoded.
 */
export function parseProxyLine(input: string): ProxyLine {
  const text = input.trim();
  if (text.length === 0 || text.length > 1000) throw new InvalidParamError('a proxy line must be 1 to 1000 characters');
  const scheme = /^([A-Za-z0-9]+):\/\//.exec(text);
  if (scheme) {
    const proxyType = SCHEMES[scheme[1].toLowerCase()];
    if (!proxyType) throw new InvalidParamError(`proxy type ${scheme[1].slice(0, 20)} is not one of http, https, socks5`);
    const authority = text.slice(scheme[0].length);
    const port = /:(\d+)\/?$/.exec(authority);
    if (port && (Number(port[1]) < 1 || Number(port[1]) > 65_535)) throw new InvalidParamError('proxy port must be 1 to 65535');
    let url: URL;
    try {
      url = new URL(`http://${authority}`);
    } catch {
      throw new InvalidParamError('the proxy is not type://user:pass@host:port');
    }
    if (url.pathname !== '/' || url.search || url.hash) throw new InvalidParamError('a proxy has no path, query or fragment');
    return checked({
      proxyType,
      host: url.hostname,
      // As written: the URL parser drops a port that is its scheme's default (80 for the http:// it is read as).
      port: port ? Number(port[1]) : NaN,
      proxyUserName: decode(url.username),
      proxyPassword: decode(url.password),
    });
  }
  // An IPv6 host in brackets: its colons are not the fields'.
  const bracketed = /^(\[[0-9A-Fa-f:.]+\]):([^:]*)(?::([^:]*):(.*))?$/.exec(text);
  if (bracketed) {
    const [, host, port, user = '', password = ''] = bracketed;
    return checked({
      proxyType: 'http',
      host,
      port: /^\d{1,5}$/.test(port) ? Number(port) : NaN,
      proxyUserName: user,
      proxyPassword: password,
    });
  }
  const parts = text.split(':');
  if (parts.length !== 2 && parts.length < 4) throw new InvalidParamError('the proxy is not host:port or host:port:user:pass');
  const [host, port, user = '', ...password] = parts;
  return checked({
    proxyType: 'http',
    host,
    port: /^\d{1,5}$/.test(port) ? Number(port) : NaN,
    proxyUserName: user,
    proxyPassword: password.join(':'),
  });
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new InvalidParamError('the proxy user name or password is not valid percent-encoding');
  }
}

function checked(line: ProxyLine): ProxyLine {
  if (!isProxyHost(line.host) || line.host.length > 255)
    throw new InvalidParamError(`proxy host ${line.host.slice(0, 60)} is not a host name or address`);
  if (!Number.isInteger(line.port) || line.port < 1 || line.port > 65_535) throw new InvalidParamError('proxy port must be 1 to 65535');
  const hidden = hiddenCharacterIn(line.proxyUserName);
  // Checked here, before the user name becomes part of the proxy's name, so the line says which part is wrong.
  if (hidden)
    throw new InvalidParamError(`proxy user name must not contain control, invisible or bidirectional-text characters (found ${hidden})`);
  if (line.proxyUserName.length > 200 || line.proxyPassword.length > 200)
    throw new InvalidParamError('proxy user name and password are at most 200 characters');
  return line;
}
