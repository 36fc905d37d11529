import { guessMapping, toImportRow } from './import-columns';

describe('import columns', () => {
  it('guesses the fields of a BitBrowser export, proxy from its own columns', () => {
    const header = ['id', 'name', 'remark', 'groupName', 'proxyType', 'host', 'port', 'proxyUserName', 'proxyPassword', 'ua'];
    const mapping = guessMapping(header);
    expect(mapping).toMatchObject({
      name: 1,
      remark: 2,
      group: 3,
      proxyType: 4,
      host: 5,
      port: 6,
      proxyUserName: 7,
      proxyPassword: 8,
      userAgent: 9,
    });
    const row = toImportRow(['7', ' shop-1 ', '', 'Shops', 'socks5', '10.0.0.1', '1080', 'al@ce', 'p:ss', 'Mozilla/5.0 Chrome'], mapping);
    expect(row).toEqual({
      name: 'shop-1',
      group: 'Shops',
      userAgent: 'Mozilla/5.0 Chrome',
      proxy: 'socks5://al%40ce:p%3Ass@10.0.0.1:1080',
    });
  });

  it('reads an AdsPower export: a proxy column, tags split, OS names of its own', () => {
    const header = ['acc_id', 'Name', 'Group', 'Tag', 'Platform', 'Proxy', 'Cookie'];
    const mapping = guessMapping(header);
    const row = toImportRow(['1', 'seller', 'EU', 'a; b,c', 'Windows 10', 'http://1.2.3.4:8080', '[]'], mapping);
    expect(row).toEqual({ name: 'seller', group: 'EU', tags: ['a', 'b', 'c'], os: 'windows', proxy: 'http://1.2.3.4:8080', cookies: '[]' });
  });

  it("reads back a cell an export made inert ('=… is =…)", () => {
    expect(toImportRow(["'=SUM(1)", "'-x"], guessMapping(['name', 'remark']))).toEqual({ name: '=SUM(1)', remark: '-x' });
  });

  it('leaves out a proxy of type noproxy and cells that are empty', () => {
    const mapping = guessMapping(['name', 'proxytype', 'host', 'port']);
    expect(toImportRow(['x', 'noproxy', '1.2.3.4', '80'], mapping)).toEqual({ name: 'x' });
    expect(toImportRow(['', '', '', ''], mapping)).toEqual({});
  });
});
