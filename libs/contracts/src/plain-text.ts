/**
 * Characters no name a teammate gives (a window, group, tag, proxy, task, token, team or person) may
 * hold: control characters (C0, DEL and C1: a name is one line), the line and paragraph separators,
 * and the bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). These
 * last draw a name in another order than it is stored ("invoice + U+202E + fdp.exe" reads as "invoiceexe.pdf")
 * and can reorder the text drawn after it, so a name could pass for another one. Also the characters
 * drawn as nothing (soft hyphen U+00AD, the combining grapheme joiner U+034F, the Hangul fillers
 * U+115F, U+1160, U+3164 and U+FFA0, the Khmer inherent vowels U+17B4–U+17B5, the Mongolian
 * variation selectors and vowel separator U+180B–U+180F, zero-width space U+200B, word joiner and
 * invisible operators U+2060–U+2064, the blank braille pattern U+2800, U+FEFF, the musical
 * formatting controls U+1D173–U+1D17A and the tag characters U+E0000–U+E007F): "shop1" and
 * "shop + U+200B + 1" look alike. Letters of any script, the left-to-right, right-to-left and Arabic
 * letter marks, the emoji variation selectors and the joiners ZWNJ/ZWJ (Persian and Indic spelling,
 * emoji sequences) stay allowed.
 */
const HIDDEN =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- control and combining characters, each on its own, are what this finds
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2800\u3164\ufeff\uffa0\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/u;

/** The first character of `text` a name may not hold, as `U+XXXX`; null when there is none. */
export function hiddenCharacterIn(text: string): string | null {
  const found = HIDDEN.exec(text);
  return found ? `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}
