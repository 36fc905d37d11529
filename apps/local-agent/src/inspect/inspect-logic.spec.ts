import { InvalidParamError } from '@cos/contracts';
import { chord, keyValue, typing } from './keys';
import { deltaOf } from './snapshots';
import { Ring } from './tab-state';

describe('snapshot deltas', () => {
  it('answers the changed lines with the lines that contain them, and the lines gone', () => {
    const before = ['- main:', '  - form:', '    - textbox "Bio" [ref=e3]: Hello', '    - button "Go" [ref=e4]', '  - paragraph: old'];
    const after = ['- main:', '  - form:', '    - textbox "Bio" [ref=e3]: Changed', '    - button "Go" [ref=e4]', '  - paragraph: old'];
    expect(deltaOf(before, after)).toEqual({
      lines: ['- main:', '  - form:', '    - textbox "Bio" [ref=e3]: Changed'],
      changed: 1,
      removed: ['- textbox "Bio" [ref=e3]: Hello'],
    });
    expect(deltaOf(after, after)).toEqual({ lines: [], changed: 0, removed: [] });
  });
});

describe('keys', () => {
  it('maps names to WebDriver key values and combinations to held modifiers', () => {
    expect(keyValue('Enter', 'key')).toBe('\uE007');
    expect(keyValue('a', 'key')).toBe('a');
    expect(chord('Control+Shift+A', 'key')).toEqual([
      { type: 'keyDown', value: '\uE009' },
      { type: 'keyDown', value: '\uE008' },
      { type: 'keyDown', value: 'A' },
      { type: 'keyUp', value: 'A' },
      { type: 'keyUp', value: '\uE008' },
      { type: 'keyUp', value: '\uE009' },
    ]);
    expect(chord('Control++', 'key').map((a) => (a.type === 'pause' ? '' : a.value))).toEqual(['\uE009', '+', '+', '\uE009']);
    expect(() => chord('Hyper+a', 'key')).toThrow(InvalidParamError);
    expect(() => chord('a+', 'key')).toThrow('is not a key combination');
    expect(typing('a\nb').map((a) => (a.type === 'pause' ? '' : a.value))).toEqual(['a', 'a', '\uE007', '\uE007', 'b', 'b']);
  });
});

describe('rings', () => {
  it('keeps the newest entries, numbered, and counts the dropped', () => {
    const ring = new Ring<{ n: number }>(3);
    for (let n = 0; n < 5; n++) ring.push({ n });
    expect(ring.all().map((e) => [e.seq, e.n])).toEqual([
      [3, 2],
      [4, 3],
      [5, 4],
    ]);
    expect(ring.dropped).toBe(2);
    expect(ring.after(4, 10).map((e) => e.n)).toEqual([4]);
    expect(ring.after(0, 1).map((e) => e.n)).toEqual([4]);
    expect(ring.clear()).toBe(3);
  });
});
