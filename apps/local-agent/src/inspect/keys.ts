import { InvalidParamError } from '@cos/contracts';

/**
 * Key names as `KeyboardEvent.key` spells them (and as Playwright and puppeteer accept them),
 * mapped to the code points WebDriver's key actions take for keys that type no character.
 */
const SPECIAL: Record<string, string> = {
  Unidentified: '\uE000',
  Cancel: '\uE001',
  Help: '\uE002',
  Backspace: '\uE003',
  Tab: '\uE004',
  Clear: '\uE005',
  Enter: '\uE007',
  Shift: '\uE008',
  ShiftLeft: '\uE008',
  Control: '\uE009',
  ControlLeft: '\uE009',
  Alt: '\uE00A',
  AltLeft: '\uE00A',
  Pause: '\uE00B',
  Escape: '\uE00C',
  Space: ' ',
  PageUp: '\uE00E',
  PageDown: '\uE00F',
  End: '\uE010',
  Home: '\uE011',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Insert: '\uE016',
  Delete: '\uE017',
  F1: '\uE031',
  F2: '\uE032',
  F3: '\uE033',
  F4: '\uE034',
  F5: '\uE035',
  F6: '\uE036',
  F7: '\uE037',
  F8: '\uE038',
  F9: '\uE039',
  F10: '\uE03A',
  F11: '\uE03B',
  F12: '\uE03C',
  Meta: '\uE03D',
  MetaLeft: '\uE03D',
  ShiftRight: '\uE050',
  ControlRight: '\uE051',
  AltRight: '\uE052',
  MetaRight: '\uE053',
};
const ALIASES: Record<string, string> = {
  Ctrl: 'Control',
  Cmd: 'Meta',
  Command: 'Meta',
  Option: 'Alt',
  Esc: 'Escape',
  Return: 'Enter',
  Del: 'Delete',
  Up: 'ArrowUp',
  Down: 'ArrowDown',
  Left: 'ArrowLeft',
  Right: 'ArrowRight',
  ControlOrMeta: process.platform === 'darwin' ? 'Meta' : 'Control',
};

export type KeyAction = { type: 'keyDown' | 'keyUp'; value: string } | { type: 'pause'; duration: number };

/** One key's WebDriver value: a special key by name, else a single character. */
export function keyValue(name: string, where: string): string {
  const key = ALIASES[name] ?? name;
  if (SPECIAL[key] !== undefined) return SPECIAL[key];
  if ([...key].length === 1) return key;
  throw new InvalidParamError(`${where}: ${JSON.stringify(name)} is not a key name (Enter, Tab, ArrowDown, a, Control+A, …)`);
}

/** `Control+Shift+A`: the modifiers held while the last key is pressed. A lone `+` is the plus key. */
export function chord(combo: string, where: string): KeyAction[] {
  if (typeof combo !== 'string' || combo.length === 0 || combo.length > 100) throw new InvalidParamError(`${where} must be a key name`);
  const parts = combo === '+' ? ['+'] : combo.endsWith('++') ? [...combo.slice(0, -2).split('+'), '+'] : combo.split('+');
  if (parts.some((p) => p === '')) throw new InvalidParamError(`${where}: ${JSON.stringify(combo)} is not a key combination`);
  const values = parts.map((p) => keyValue(p, where));
  return [
    ...values.map((value) => ({ type: 'keyDown' as const, value })),
    ...[...values].reverse().map((value) => ({ type: 'keyUp' as const, value })),
  ];
}

/** Key actions that type `text` character by character (newlines as Enter). */
export function typing(text: string, delayMs = 0): KeyAction[] {
  const actions: KeyAction[] = [];
  for (const char of text) {
    const value = char === '\n' ? SPECIAL.Enter : char === '\r' ? '' : char;
    if (!value) continue;
    actions.push({ type: 'keyDown', value }, { type: 'keyUp', value });
    if (delayMs > 0) actions.push({ type: 'pause', duration: delayMs });
  }
  return actions;
}
