import { registerDecorator } from 'class-validator';
import { isProxyHost } from '@cos/contracts';

/**
 * On a proxy's host: a host name, an IPv4 address or an IPv6 address (`isProxyHost`), the rule a
 * pasted list and an import check too. An empty string passes where the field may be empty (a
 * window with no proxy); anything not a string is left to the field's other rules.
 */
export function ProxyHost(options: { allowEmpty?: boolean } = {}): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'proxyHost',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || (options.allowEmpty && value === '') || isProxyHost(value),
        defaultMessage: () => 'host must be a host name, an IPv4 address or an IPv6 address',
      },
    });
  };
}
