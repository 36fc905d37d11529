import { detailName, detailText, namesList, plural } from './words';

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

describe('an audit detail in words', () => {
  it('names a field in words and never shows JSON', () => {
    expect(detailName('retentionDays')).toBe('retention days');
    expect(detailText(['a', 'b'])).toBe('a, b');
    expect(detailText([])).toBe('none');
    expect(detailText({ proxyType: 'socks5', ok: false, missing: null })).toBe('proxy type: socks5; ok: no; missing: —');
    expect(detailText({ nested: { deep: [1, 2] } })).toBe('nested: deep: 1, 2');
    expect(detailText(['browser:list', 'browser:create:single'], 'permissions')).toBe('See windows, Create windows');
    expect(detailText([], 'permissions')).toBe('none');
  });

  it("shows a field named as an instant in the reader's time, and a name that looks like one as typed", () => {
    const at = '2026-12-07T15:30:52.320Z';
    expect(detailText(at, 'expiresAt')).toBe(new Date(at).toLocaleString());
    expect(detailText({ expiresAt: at })).toBe(`expires at: ${new Date(at).toLocaleString()}`);
    // A proxy or device a teammate named like a date is shown by its name, not disguised as a time.
    expect(detailText('2099-01-01T00:00Z', 'name')).toBe('2099-01-01T00:00Z');
    expect(detailText('2024-13-45T99:99Z', 'expiresAt')).toBe('2024-13-45T99:99Z');
    expect(detailText('dev-64c4fee4', 'deviceId')).toBe('dev-64c4fee4');
  });
});

describe('names in a sentence', () => {
  it('joins a few with "and" and counts the rest past the most it names', () => {
    expect(namesList(['a'])).toBe('a');
    expect(namesList(['a', 'b'])).toBe('a and b');
    expect(namesList(['a', 'b', 'c'])).toBe('a, b and c');
    expect(namesList(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
  });
});
