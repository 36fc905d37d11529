import { isProxyHost } from './proxy';

describe('isProxyHost: the one rule for where a proxy can be', () => {
  it.each([
    'proxy.example.com',
    'h',
    'localhost',
    'gate_1.internal',
    'xn--bcher-kva.example',
    '10.0.0.7',
    '255.255.255.255',
    '::1',
    '::',
    'fd00::1',
    '2001:db8:0:0:0:0:0:1',
    '2001:db8::',
    '::ffff:192.0.2.1',
    '[::1]',
    '[2001:db8::7]',
  ])('takes %s', (host) => expect(isProxyHost(host)).toBe(true));

  it.each([
    '',
    '..',
    ':',
    '[',
    '-',
    '-lead.example',
    'trail-.example',
    'dot.',
    '.dot',
    'evil.com:80',
    '999.999.999.999',
    '1.2.3',
    '0',
    '[[::1]]',
    '[10.0.0.1]',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    ':::1',
    '12345::1',
    'host name',
    'h\u202eost',
    `${'a'.repeat(64)}.example`,
    `${'a.'.repeat(127)}ab`,
  ])('refuses %j', (host) => expect(isProxyHost(host)).toBe(false));
});
