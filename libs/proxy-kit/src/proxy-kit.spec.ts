import { endpointUrl, isPrivateKey } from './proxy-endpoint';
import { parseExtraction } from './extraction';
import { ipCheckUrl, languageOfCountry, parseExitInfo } from './ip-lookup';

describe('API extraction answers', () => {
  it('reads host:port[:user:pass] lines, proxy URLs and the common JSON shapes', () => {
    expect(parseExtraction('\n 10.0.0.1:8080 \n10.0.0.2:9090\n', 'http')).toEqual({
      type: 'http',
      host: '10.0.0.1',
      port: 8080,
      username: '',
      password: '',
    });
    expect(parseExtraction('gw.example:1080:user:pa:ss', 'socks5')).toEqual({
      type: 'socks5',
      host: 'gw.example',
      port: 1080,
      username: 'user',
      password: 'pa:ss',
    });
    expect(parseExtraction('socks5://u%40x:p%2F1@gw.example:1080', 'http')).toEqual({
      type: 'socks5',
      host: 'gw.example',
      port: 1080,
      username: 'u@x',
      password: 'p/1',
    });
    expect(parseExtraction('{"code":0,"data":[{"ip":"1.2.3.4","port":"3128","user":"a","pass":"b"}]}', 'https')).toEqual({
      type: 'https',
      host: '1.2.3.4',
      port: 3128,
      username: 'a',
      password: 'b',
    });
    expect(parseExtraction('[{"host":"h","port":22,"username":"u","password":"p"}]', 'ssh')).toMatchObject({
      host: 'h',
      port: 22,
      username: 'u',
    });
    expect(parseExtraction('{"proxies":["9.9.9.9:80"]}', 'http')).toMatchObject({ host: '9.9.9.9', port: 80 });
  });

  it('names what it could not read', () => {
    expect(() => parseExtraction('{"code":1,"msg":"balance exhausted"}', 'http')).toThrow('dynamicIpUrl answered no proxy');
    expect(() => parseExtraction('host-without-port', 'http')).toThrow('dynamicIpUrl answered no proxy');
    expect(() => parseExtraction('h:70000', 'http')).toThrow('dynamicIpUrl answered no proxy');
    expect(() => parseExtraction('ftp://h:21', 'http')).toThrow('dynamicIpUrl answered no proxy');
  });
});

describe('IP lookups', () => {
  it('reads ip-api.com and ipinfo.io answers', () => {
    expect(parseExitInfo('{"status":"success","query":"203.0.113.1","countryCode":"DE","timezone":"Europe/Berlin"}')).toEqual({
      ip: '203.0.113.1',
      country: 'DE',
      timezone: 'Europe/Berlin',
    });
    expect(parseExitInfo('{"ip":"198.51.100.2","country":"br","timezone":"America/Sao_Paulo"}')).toEqual({
      ip: '198.51.100.2',
      country: 'BR',
      timezone: 'America/Sao_Paulo',
    });
    expect(() => parseExitInfo('{"status":"fail","message":"reserved range"}')).toThrow('IP lookup failed: reserved range');
    expect(() => parseExitInfo('<html>')).toThrow('other than JSON');
  });

  it('picks the service URL, configuration first', () => {
    expect(ipCheckUrl('ipinfo')).toBe('https://ipinfo.io/json');
    expect(ipCheckUrl('ip-api')).toContain('ip-api.com');
    expect(ipCheckUrl('ip-api', 'http://lookup.internal/json')).toBe('http://lookup.internal/json');
  });

  it('gives a country its most likely language', () => {
    expect(languageOfCountry('DE')).toBe('de-DE');
    expect(languageOfCountry('JP')).toBe('ja-JP');
    expect(languageOfCountry('')).toBeNull();
    expect(languageOfCountry('germany')).toBeNull();
  });
});

describe('endpoints', () => {
  it('escapes credentials in proxy URLs and brackets IPv6 hosts', () => {
    expect(endpointUrl({ type: 'http', host: '::1', port: 3128, username: 'a@b', password: 'p:w/1' })).toBe(
      'http://a%40b:p%3Aw%2F1@[::1]:3128',
    );
    expect(endpointUrl({ type: 'socks5', host: 'h', port: 1, username: '', password: '' }, 'socks5h')).toBe('socks5h://h:1');
  });

  it('tells an SSH private key from a password', () => {
    expect(isPrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nabc')).toBe(true);
    expect(isPrivateKey('hunter2')).toBe(false);
  });
});
