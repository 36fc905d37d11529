import { hiddenCharacterIn } from './plain-text';

describe('hiddenCharacterIn: what a name may not hold', () => {
  it.each([
    ['invoice\u202efdp.exe', 'U+202E'],
    ['\u202aembedded', 'U+202A'],
    ['isolated \u2066x\u2069', 'U+2066'],
    ['first\u2069', 'U+2069'],
    ['tab\there', 'U+0009'],
    ['line\nbreak', 'U+000A'],
    ['del\u007f', 'U+007F'],
    ['c1 \u0085 next line', 'U+0085'],
    ['separator\u2028', 'U+2028'],
    ['shop\u200b1', 'U+200B'],
    ['word\u2060joiner', 'U+2060'],
    ['\ufeffbom', 'U+FEFF'],
    ['soft\u00adhyphen', 'U+00AD'],
    ['W1\u034f', 'U+034F'],
    ['W\u{e0020}1', 'U+E0020'],
    ['W1\u3164', 'U+3164'],
    ['W\u17b41', 'U+17B4'],
    ['\u115fW1', 'U+115F'],
    ['W\uffa01', 'U+FFA0'],
    ['W\u28001', 'U+2800'],
    ['W\u180b1', 'U+180B'],
    ['W\u{1d173}1', 'U+1D173'],
  ])('%j holds %s', (text, code) => expect(hiddenCharacterIn(text)).toBe(code));

  it.each([
    'Shop 1',
    'متجر ١',
    'חנות\u200f 2',
    'магазин',
    '店铺 ①',
    'team \u{1f469}\u200d\u{1f4bb}',
    'a\u200cb',
    'ok \u2764\ufe0f',
    'سلام\u061c',
    '',
  ])('%j is a plain name', (text) => expect(hiddenCharacterIn(text)).toBeNull());
});
