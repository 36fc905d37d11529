/**
 * The window's seeded noise, one function for every realm: the page's content script
 * (page-realm.ts) and every worker (worker-realm.ts) build it from the same seed, so a drawing reads
 * the same pixel for pixel in the page and in its workers.
 *
 * `noiseKit` is serialized with `toString()` and evaluated where it runs: it must not use anything
 * from outside its body but the realm's own built-ins.
 */
export interface NoiseKit {
  /** The seed folded to 32 bits, for noise that is not about pixels (audio, client rects). */
  seed: number;
  /** A deterministic generator of numbers in [0, 1) from a 32-bit state. */
  rng: (state: number) => () => number;
  /** Like Firefox's own canvas randomization: a few low bits of RGB flipped where the content says. */
  noisePixels: (data: { length: number; [index: number]: number }, length: number) => void;
}

/** `seedHex` is 32 hex digits. */
export function noiseKit(seedHex: string): NoiseKit {
  const clone: (data: ArrayLike<number>) => ArrayLike<number> =
    typeof structuredClone === 'function' ? structuredClone : (v) => Uint8ClampedArray.from(v);
  const fnv = (data: ArrayLike<number>, start = 2166136261): number => {
    let h = start >>> 0;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    return h;
  };
  const seedBytes = Array.from({ length: 16 }, (_, i) => parseInt(seedHex.slice(i * 2, i * 2 + 2), 16));
  const seed = fnv(seedBytes);
  const rng = (a: number) => () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const noisePixels: NoiseKit['noisePixels'] = (data, length) => {
    if (length < 8) return;
    const copy = clone(data);
    let uniform = true;
    for (let i = 4; i < copy.length && uniform; i++) if (copy[i] !== copy[i % 4]) uniform = false;
    if (uniform) return;
    const next = rng(fnv(copy, seed));
    const pixels = copy.length >> 2;
    const count = 20 + Math.floor(next() * 200);
    for (let n = 0; n < count; n++) {
      const index = 4 * Math.floor(next() * pixels) + Math.floor(next() * 3);
      data[index] = copy[index] ^ (next() < 0.5 ? 1 : 2);
    }
  };
  return { seed, rng, noisePixels };
}

/** An expression that evaluates to the window's kit in whatever realm runs it. */
export function noiseKitSource(seedHex: string): string {
  return `(${noiseKit.toString()})(${JSON.stringify(seedHex)})`;
}
