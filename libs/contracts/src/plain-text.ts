/**
 * Characters no name a teammate gives (a window, group, tag, proxy, task, token, team or person) may
 * hold: control characters (C0, DEL and C1: a name is one line), the line and paragraph separators,
 * and the bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). These
 * last draw a name in another order than it is stored ("invoice + U+202E + fdp.exe" reads as "invoiceexe.pdf")
 * and can reorder the text drawn after it, so a name could pass for another one. Also the characters
 * drawn as nothing (soft hyphen U+00AD, U+180E, zero-width space U+200B, word joiner and invisible
 * operators U+2060–U+2064, U+FEFF): "shop1" and "shop + U+200B + 1" look alike. Letters of any script,
 * the left-to-right and right-to-left marks, and the joiners ZWNJ/ZWJ (Persian and Indic spelling,
 * emoji sequences) stay allowed.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u180e\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** The first character of `text` a name may not hold, as `U+XXXX`; null when there is none. */
export function hiddenCharacterIn(text: string): string | null {
  const found = HIDDEN.exec(text);
  return found ? `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}
