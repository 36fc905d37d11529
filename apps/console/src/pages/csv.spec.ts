import { toCsv } from './csv';

describe('captured values as CSV', () => {
  it('quotes what needs it and never lets a cell start a formula', () => {
    const csv = toCsv(
      ['window', 'value'],
      [
        ['a', '=HYPERLINK("http://x","y")'],
        ['b', '+1'],
        ['c', 'plain'],
        ['d', { n: 1 }],
        ['e', null],
        ['f', 'line\nbreak'],
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'window,value',
      'a,"\'=HYPERLINK(""http://x"",""y"")"',
      'b,"\'+1"',
      'c,plain',
      'd,"{""n"":1}"',
      'e,',
      'f,"line\nbreak"',
      '',
    ]);
  });
});
