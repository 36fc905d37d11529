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
  /**
   * Audio: the window's noise for one channel (or one other reading, by key), as a function that
   * changes the first `length` samples it is given in place. Each sample's noise depends on its
   * value alone, so a channel taken in parts reads as the channel taken whole.
   */
  audioNoise: (key: number) => (block: { [index: number]: number }, length: number) => void;
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
  // Audio: each sample through a gain of its own, 1 ± (0.5 to 10)·10⁻⁶ (-100 dB and below:
  // nothing anyone hears, and of the size by which real devices' sums differ), drawn from the
  // window's seed, the channel (or reading) and the sample's magnitude. So the same value reads
  // the same wherever it is, a waveform keeps its symmetry, and no position-wise gain can be
  // learned from one signal and divided out of another, nor cancelled in a ratio of two sums.
  // A value with the low 16 bits of its mantissa clear (silence, 0.5, a constant a page set) is
  // left exact: such values come from plain sources, and those render exact on every device.
  const bits = new Uint32Array(1);
  const sample = new Float32Array(bits.buffer);
  const audioNoise: NoiseKit['audioNoise'] = (key) => {
    const base = Math.imul(seed ^ Math.imul(key + 1, 0x9e3779b1), 0x85ebca6b);
    return (block, length) => {
      for (let i = 0; i < length; i++) {
        sample[0] = block[i];
        const magnitude = bits[0] & 0x7fffffff;
        if ((magnitude & 0xffff) === 0 || magnitude >= 0x7f800000) continue;
        let h = Math.imul(base ^ magnitude, 0xcc9e2d51);
        h = Math.imul(h ^ (h >>> 15), 0x1b873593);
        h ^= h >>> 13;
        const draw = (h >>> 1) / 0x80000000;
        block[i] = sample[0] * (1 + (h & 1 ? -1 : 1) * (0.5 + draw * 9.5) * 1e-6);
      }
    };
  };
  return { seed, rng, noisePixels, audioNoise };
}

/** An expression that evaluates to the window's kit in whatever realm runs it. */
export function noiseKitSource(seedHex: string): string {
  return `(${noiseKit.toString()})(${JSON.stringify(seedHex)})`;
}
