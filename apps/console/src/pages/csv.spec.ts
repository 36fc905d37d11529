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
        ['g', 'a;=1+2;b'],
        ['h', 'tab\t=1+2'],
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
      // Where fields are separated by semicolons or tabs, the quotes keep it one cell that starts with "a".
      'g,"a;=1+2;b"',
      'h,"tab\t=1+2"',
      '',
    ]);
  });
});
