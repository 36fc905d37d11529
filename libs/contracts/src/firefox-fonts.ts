import type { OsFamily } from './firefox-os';

/**
 * The fonts a window shows, per OS. Every name is backed by a font Debian ships (metric-compatible
 * where one exists: Liberation for Arial/Times New Roman/Courier New, Carlito for Calibri, Caladea
 * for Cambria, URW's for the PostScript families), renamed so that pages see the claimed family
 * and never the backing one.
 */

/** The families behind the CSS generics, always present. */
export const GENERIC_FONTS: Record<OsFamily, { 'sans-serif': string; serif: string; monospace: string }> = {
  windows: { 'sans-serif': 'Arial', serif: 'Times New Roman', monospace: 'Courier New' },
  macos: { 'sans-serif': 'Helvetica', serif: 'Times', monospace: 'Menlo' },
  linux: { 'sans-serif': 'DejaVu Sans', serif: 'DejaVu Serif', monospace: 'DejaVu Sans Mono' },
};

/** Families every installation of the OS has besides the generics. */
export const BASE_FONTS: Record<OsFamily, string[]> = {
  windows: [],
  macos: ['Arial', 'Times New Roman', 'Courier New', 'Courier'],
  linux: ['Liberation Sans', 'Liberation Serif', 'Liberation Mono'],
};

/** Claimed family → the Debian family that draws it. */
const CURATED: Record<string, string> = {
  Arial: 'Liberation Sans',
  'Times New Roman': 'Liberation Serif',
  'Courier New': 'Liberation Mono',
  Helvetica: 'Nimbus Sans',
  Times: 'Nimbus Roman',
  Courier: 'Nimbus Mono PS',
  Menlo: 'DejaVu Sans Mono',
  Calibri: 'Carlito',
  Cambria: 'Caladea',
  Century: 'C059',
  'Century Gothic': 'URW Gothic',
  'AvantGarde Bk BT': 'URW Gothic',
  'Bitstream Vera Sans Mono': 'DejaVu Sans Mono',
  'Helvetica Neue': 'Nimbus Sans',
  HELV: 'Nimbus Sans',
  'Monotype Corsiva': 'Z003',
  Marlett: 'D050000L',
  'MT Extra': 'Standard Symbols PS',
  'MS Reference Specialty': 'Standard Symbols PS',
  'Book Antiqua': 'P052',
  Palatino: 'P052',
  'Bookman Old Style': 'URW Bookman',
  'Arial Narrow': 'Liberation Sans Narrow',
  'Franklin Gothic': 'Nimbus Sans Narrow',
  'Lucida Sans': 'DejaVu Sans',
  'Lucida Bright': 'DejaVu Serif',
  'DejaVu Sans': 'DejaVu Sans',
  'DejaVu Serif': 'DejaVu Serif',
  'DejaVu Sans Mono': 'DejaVu Sans Mono',
  'Liberation Sans': 'Liberation Sans',
  'Liberation Serif': 'Liberation Serif',
  'Liberation Mono': 'Liberation Mono',
};

/** Backing families for the names with no metric-compatible match: any distinct face will do. */
const FILLERS = [
  'DejaVu Sans',
  'DejaVu Serif',
  'URW Gothic',
  'C059',
  'P052',
  'URW Bookman',
  'Carlito',
  'Caladea',
  'Z003',
  'Nimbus Sans Narrow',
];

/** Names a window may list in `fonts`: the families font-detection scripts probe for, and common extras. */
export const OPTIONAL_FONTS = [
  'ARNO PRO',
  'Agency FB',
  'Arabic Typesetting',
  'Arial Narrow',
  'Arial Unicode MS',
  'AvantGarde Bk BT',
  'BankGothic Md BT',
  'Batang',
  'Bitstream Vera Sans Mono',
  'Book Antiqua',
  'Bookman Old Style',
  'Calibri',
  'Cambria',
  'Century',
  'Century Gothic',
  'Clarendon',
  'EUROSTILE',
  'Franklin Gothic',
  'Futura Bk BT',
  'Futura Md BT',
  'GOTHAM',
  'Gill Sans',
  'HELV',
  'Haettenschweiler',
  'Helvetica Neue',
  'Humanst521 BT',
  'Leelawadee',
  'Letter Gothic',
  'Levenim MT',
  'Lucida Bright',
  'Lucida Sans',
  'MS Mincho',
  'MS Outlook',
  'MS Reference Specialty',
  'MS UI Gothic',
  'MT Extra',
  'MYRIAD PRO',
  'Marlett',
  'Meiryo UI',
  'Menlo',
  'Microsoft Uighur',
  'Minion Pro',
  'Monotype Corsiva',
  'PMingLiU',
  'Palatino',
  'Pristina',
  'SCRIPTINA',
  'Segoe UI Light',
  'Serifa',
  'SimHei',
  'Small Fonts',
  'Staccato222 BT',
  'TRAJAN PRO',
  'Univers CE 55 Medium',
  'Vrinda',
  'ZWAdobeF',
] as const;

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** The Debian family that draws a claimed one. */
export function backingFont(claimed: string): string {
  return CURATED[claimed] ?? FILLERS[hashOf(claimed) % FILLERS.length];
}

/** Every family a window of `os` shows: the generics, the OS's own, and the window's optional ones. */
export function fontSetOf(os: OsFamily, optional: readonly string[]): string[] {
  const generics = Object.values(GENERIC_FONTS[os]);
  return [...new Set([...generics, ...BASE_FONTS[os], ...optional])];
}

export function fontsProblem(fonts: unknown, path: string): string | null {
  if (!Array.isArray(fonts) || fonts.length > OPTIONAL_FONTS.length)
    return `${path} must be an array of at most ${OPTIONAL_FONTS.length} font names`;
  const bad: unknown = (fonts as unknown[]).find((f) => !(OPTIONAL_FONTS as readonly unknown[]).includes(f));
  if (bad !== undefined) return `${path} has ${JSON.stringify(bad)}, which no window can show; known fonts: ${OPTIONAL_FONTS.join(', ')}`;
  return null;
}
