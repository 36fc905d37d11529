import { plural } from './words';

describe('plural', () => {
  it('counts one in the singular and any other number in the plural', () => {
    expect(plural(1, 'window')).toBe('1 window');
    expect(plural(0, 'window')).toBe('0 windows');
    expect(plural(3, 'window')).toBe('3 windows');
    expect(plural(1200, 'event')).toBe('1,200 events');
  });

  it('takes the plural form of an irregular noun', () => {
    expect(plural(1, 'proxy', 'proxies')).toBe('1 proxy');
    expect(plural(2, 'proxy', 'proxies')).toBe('2 proxies');
  });
});
