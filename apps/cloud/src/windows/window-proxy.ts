import { InvalidParamError, PROXY_FIELDS } from '@cos/contracts';
import { SecretBox } from '../crypto/secret-box';
import { keepsPassword } from '../proxies/proxy-password';
import { ProxyFieldsDto } from './dto/window.dto';
import { WindowEntity } from './window.entity';

export type ProxyColumns = Pick<
  WindowEntity,
  | 'proxyMethod'
  | 'proxyType'
  | 'proxyHost'
  | 'proxyPort'
  | 'proxyUsername'
  | 'proxyPasswordSealed'
  | 'dynamicIpUrl'
  | 'dynamicIpChannel'
  | 'isDynamicIpChangeIp'
  | 'refreshProxyUrl'
  | 'ipCheckService'
  | 'enableSocks5Udp'
  | 'proxyId'
>;

export const DEFAULT_PROXY: ProxyColumns = {
  proxyMethod: 2,
  proxyType: 'direct',
  proxyHost: '',
  proxyPort: null,
  proxyUsername: '',
  proxyPasswordSealed: null,
  dynamicIpUrl: '',
  dynamicIpChannel: '',
  isDynamicIpChangeIp: false,
  refreshProxyUrl: '',
  ipCheckService: '',
  enableSocks5Udp: false,
  proxyId: null,
};

/** The proxy fields a request may send: the settings' fields but the derived `hasProxyPassword`. */
const PROXY_FIELD_NAMES = PROXY_FIELDS.filter((field) => field !== 'hasProxyPassword');

export function sendsProxyFields(dto: ProxyFieldsDto): boolean {
  return PROXY_FIELD_NAMES.some((key) => dto[key] !== undefined);
}

/**
 * The proxy columns after applying the fields sent over `base`, checked as a whole: a method
 * needs its own fields (2: host and port unless direct; 3: dynamicIpUrl; 4: proxyId, whose team
 * the caller checks). Only method 4 keeps a proxyId. `passwordCleared` tells that a stored
 * password was dropped because the endpoint moved without it.
 */
export function applyProxyFields(base: ProxyColumns, dto: ProxyFieldsDto, box: SecretBox): ProxyColumns & { passwordCleared: boolean } {
  const proxyMethod = dto.proxyMethod ?? base.proxyMethod;
  const next: ProxyColumns = {
    proxyMethod,
    proxyType: dto.proxyType ?? base.proxyType,
    proxyHost: dto.host ?? base.proxyHost,
    proxyPort: dto.port ?? base.proxyPort,
    proxyUsername: dto.proxyUserName ?? base.proxyUsername,
    proxyPasswordSealed:
      dto.proxyPassword === undefined ? base.proxyPasswordSealed : dto.proxyPassword === '' ? null : box.seal(dto.proxyPassword),
    dynamicIpUrl: dto.dynamicIpUrl ?? base.dynamicIpUrl,
    dynamicIpChannel: dto.dynamicIpChannel ?? base.dynamicIpChannel,
    isDynamicIpChangeIp: dto.isDynamicIpChangeIp ?? base.isDynamicIpChangeIp,
    refreshProxyUrl: dto.refreshProxyUrl ?? base.refreshProxyUrl,
    ipCheckService: dto.ipCheckService ?? base.ipCheckService,
    enableSocks5Udp: dto.enableSocks5Udp ?? base.enableSocks5Udp,
    proxyId: proxyMethod === 4 ? (dto.proxyId ?? base.proxyId) : null,
  };
  if (dto.proxyId !== undefined && proxyMethod !== 4) throw new InvalidParamError('proxyId needs proxyMethod 4');
  const problem = proxyProblem(next);
  if (problem) throw new InvalidParamError(problem);
  const endpoint = (p: ProxyColumns) => ({ method: p.proxyMethod, type: p.proxyType, host: p.proxyHost, port: p.proxyPort });
  const passwordCleared =
    next.proxyPasswordSealed !== null && !keepsPassword(endpoint(base), endpoint(next), dto.proxyPassword !== undefined);
  return { ...next, proxyPasswordSealed: passwordCleared ? null : next.proxyPasswordSealed, passwordCleared };
}

export function proxyProblem(proxy: ProxyColumns): string | null {
  switch (proxy.proxyMethod) {
    case 2:
      if (proxy.proxyType !== 'direct' && (!proxy.proxyHost || !proxy.proxyPort)) {
        return `proxyMethod 2 with proxyType ${proxy.proxyType} needs host and port`;
      }
      return null;
    case 3:
      return proxy.dynamicIpUrl ? null : 'proxyMethod 3 needs dynamicIpUrl';
    case 4:
      return proxy.proxyId ? null : 'proxyMethod 4 needs proxyId of a saved proxy of your team';
    default:
      return 'proxyMethod must be 2, 3 or 4';
  }
}
