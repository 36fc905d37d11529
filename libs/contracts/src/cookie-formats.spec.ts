import { cookieProblem, COOKIES_MAX, fromExtensionJson, fromNetscape, sortCookies, toExtensionJson, toNetscape } from './cookie-formats';
import type { StoredCookie } from './window';

const cookies: StoredCookie[] = [
  { name: 'sid', value: 'abc', domain: '.example.com', path: '/', secure: true, httpOnly: true, sameSite: 'none', expiry: 1900000000 },
  { name: 'pref', value: 'dark mode', domain: 'shop.example.com', path: '/cart', secure: false, httpOnly: false, sameSite: 'default' },
  { name: 'csrf', value: '', domain: 'example.org', path: '/', secure: true, httpOnly: false, sameSite: 'strict', expiry: 1 },
];

describe('cookie formats', () => {
  it('round-trips the extensions JSON export, every field kept', () => {
    const json = toExtensionJson(cookies);
    expect(json[0]).toEqual({
      domain: '.example.com',
      expirationDate: 1900000000,
      hostOnly: false,
      httpOnly: true,
      name: 'sid',
      path: '/',
      sameSite: 'no_restriction',
      secure: true,
      session: false,
      storeId: null,
      value: 'abc',
    });
    expect(json[1]).toMatchObject({ hostOnly: true, session: true, sameSite: 'unspecified' });
    expect(json[1]).not.toHaveProperty('expirationDate');
    expect(fromExtensionJson(JSON.parse(JSON.stringify(json)))).toEqual(cookies);
  });

  it('reads what extensions write: fractional dates, hostOnly false without a dot, capitalised SameSite, a null sameSite', () => {
    const read = fromExtensionJson([
      { domain: 'example.com', hostOnly: false, name: 'a', value: '1', path: '/', expirationDate: 1900000000.75, sameSite: 'Lax' },
      { domain: 'example.com', name: 'b', value: '2', sameSite: null, session: true, expirationDate: 1900000000 },
    ]);
    expect(read).toEqual([
      { name: 'a', value: '1', domain: '.example.com', path: '/', secure: false, httpOnly: false, sameSite: 'lax', expiry: 1900000000 },
      { name: 'b', value: '2', domain: 'example.com', path: '/', secure: false, httpOnly: false, sameSite: 'default' },
    ]);
  });

  it('round-trips Netscape cookies.txt with the HttpOnly prefix, session cookies as 0', () => {
    const { text, skipped } = toNetscape(cookies);
    expect(skipped).toEqual([]);
    expect(text).toContain('#HttpOnly_.example.com\tTRUE\t/\tTRUE\t1900000000\tsid\tabc');
    expect(text).toContain('shop.example.com\tFALSE\t/cart\tFALSE\t0\tpref\tdark mode');
    // Netscape has no SameSite: it comes back as the browser's default.
    expect(fromNetscape(text)).toEqual(cookies.map((c) => ({ ...c, sameSite: 'default' })));
  });

  it('reads curl and browser-extension files: CRLF, comments, blank lines, a subdomain flag without a dot', () => {
    const read = fromNetscape('# Netscape HTTP Cookie File\r\n\r\nexample.com\tTRUE\t/\tFALSE\t0\tk\tv\r\n');
    expect(read).toEqual([
      { name: 'k', value: 'v', domain: '.example.com', path: '/', secure: false, httpOnly: false, sameSite: 'default' },
    ]);
  });

  it.each([
    ['a line with too few fields', 'example.com\tTRUE\t/\tFALSE\t0\tk', /line 1: expected 7 tab-separated fields/],
    ['a bad flag', 'example.com\tyes\t/\tFALSE\t0\tk\tv', /line 1: the subdomains flag must be TRUE or FALSE/],
    ['a bad expiry', 'example.com\tTRUE\t/\tFALSE\tsoon\tk\tv', /line 1: expiry must be whole seconds/],
    ['an empty name', '# c\nexample.com\tTRUE\t/\tFALSE\t0\t\tv', /line 2: name must be/],
    ['a path without a slash', 'example.com\tTRUE\tcart\tFALSE\t0\tk\tv', /line 1: path must start with "\/"/],
    ['a domain with a space', 'exa mple.com\tTRUE\t/\tFALSE\t0\tk\tv', /line 1: domain must be a host name/],
  ])('refuses Netscape input with %s, naming the line', (_label, text, message) => {
    expect(() => fromNetscape(text)).toThrow(message);
  });

  it.each([
    ['not an array', { name: 'a' }, /cookies must be an array/],
    ['a string entry', ['a=b'], /cookies\[0\]: must be an object/],
    ['a numeric name', [{ name: 1, domain: 'a.com' }], /cookies\[0\]: name must be a string/],
    ['a value with a semicolon', [{ name: 'a', value: 'x;y', domain: 'a.com' }], /cookies\[0\]: value must be/],
    ['an unknown sameSite', [{ name: 'a', domain: 'a.com', sameSite: 'sometimes' }], /cookies\[0\]: sameSite "sometimes"/],
    ['a string date', [{ name: 'a', domain: 'a.com', expirationDate: 'tomorrow' }], /expirationDate must be seconds/],
    ['a non-boolean flag', [{ name: 'a', domain: 'a.com', secure: 'yes' }], /cookies\[0\]: secure must be true or false/],
    ['no domain', [{ name: 'a' }], /cookies\[0\]: domain must be a string/],
  ])('refuses extension JSON with %s, naming the cookie', (_label, input, message) => {
    expect(() => fromExtensionJson(input)).toThrow(message);
  });

  it('refuses more cookies than a window holds', () => {
    const many = Array.from({ length: COOKIES_MAX + 1 }, (_, i) => ({ name: `c${i}`, value: '', domain: 'a.com' }));
    expect(() => fromExtensionJson(many)).toThrow(/at most 20000 cookies/);
  });

  describe('one check for every cookie', () => {
    const base: StoredCookie = {
      name: 'k',
      value: 'v',
      domain: 'shop.example.com',
      path: '/',
      secure: false,
      httpOnly: false,
      sameSite: 'lax',
    };

    it.each([
      ['.com', /public suffix/],
      ['.co.uk', /public suffix/],
      ['.test', /public suffix/],
      ['..', /host name/],
      ['a..b', /host name/],
      [':', /host name/],
      ['[', /host name/],
      ['_', /host name/],
      ['-a.com', /host name/],
      ['a.com.', /host name/],
      ['1.2.3', /host name/],
      ['.127.0.0.1', /IP address has no subdomains/],
      ['', /host name/],
    ])('refuses the domain %j', (domain, reason) => {
      expect(cookieProblem({ ...base, domain })).toMatch(reason);
    });

    it.each([
      'shop.example.com',
      '.example.com',
      '.example.co.uk',
      'localhost',
      '127.0.0.1',
      '::1',
      '[::1]',
      'my_host.example.com',
      'xn--bcher-kva.example',
    ])('accepts the domain %j', (domain) => {
      expect(cookieProblem({ ...base, domain })).toBeNull();
    });

    it.each([
      ['a tab in the value', { value: 'a\tb' }, /value/],
      ['a line break in the value', { value: 'a\r\nevil.com\tTRUE\t/\tFALSE\t0\tx\ty' }, /value/],
      ['a line break in the name', { name: 'a\nb' }, /name/],
      ['a tab in the path', { path: '/a\tb' }, /path/],
      ['an unknown sameSite', { sameSite: 'sometimes' }, /sameSite/],
      ['a string flag', { secure: 'yes' }, /secure/],
      ['a fractional expiry', { expiry: 1.5 }, /expiry/],
    ])('refuses %s', (_label, change, reason) => {
      expect(cookieProblem({ ...base, ...change } as unknown as StoredCookie)).toMatch(reason);
    });

    it('the Netscape writer leaves out a stored cookie that fails the check instead of writing lines of its own', () => {
      const injected = { ...base, name: 'sid', value: 'x\nevil.example.com\tTRUE\t/\tFALSE\t0\tadmin\t1' };
      const { text, skipped } = toNetscape([base, injected]);
      expect(text.split('\n').filter((line) => line && !line.startsWith('#'))).toEqual(['shop.example.com\tFALSE\t/\tFALSE\t0\tk\tv']);
      expect(skipped).toEqual([{ name: 'sid', domain: 'shop.example.com', reason: expect.stringContaining('value') }]);
      expect(fromNetscape(text)).toEqual([{ ...base, sameSite: 'default' }]);
    });

    it("sorts a browser's cookies into those a window can store and those it cannot", () => {
      expect(sortCookies([base, { ...base, domain: '.com' }])).toEqual({
        valid: [base],
        refused: [{ name: 'k', domain: '.com', reason: expect.stringContaining('public suffix') }],
      });
    });
  });
});
