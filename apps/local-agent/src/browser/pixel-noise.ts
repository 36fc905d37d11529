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
   * Audio: the window's gain and dither for one channel (or one other reading, by key), as a
   * function that takes the channel's samples block after block, in place, in order: `length`
   * samples of each block. Blocks bound the memory a long channel takes; the result is the same as
   * one block of the whole channel.
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
  // Audio, per channel: every sample through a gain of the window's own, 1 ± (0.5 to 10)·10⁻⁶
  // (-100 dB and below: nothing anyone hears, and of the size by which real devices' sums
  // differ), then one to three float32 steps up or down on a sparse share of them. The gain is
  // continuous, so sums of the signal differ from window to window; the steps alone take a few
  // dozen net values, and 20 windows shared some. Silence stays silent.
  const bits = new Int32Array(1);
  const sample = new Float32Array(bits.buffer);
  const audioNoise: NoiseKit['audioNoise'] = (key) => {
    const next = rng(seed ^ Math.imul(key + 1, 0x9e3779b1));
    const gain = 1 + (next() < 0.5 ? -1 : 1) * (0.5 + next() * 9.5) * 1e-6;
    // The next stepped sample, counted from the start of the channel.
    let stepAt = Math.floor(next() * 61);
    let offset = 0;
    return (block, length) => {
      for (let i = 0; i < length; i++) {
        sample[0] = block[i] * gain;
        if (offset + i === stepAt) {
          stepAt += 31 + Math.floor(next() * 61);
          const magnitude = bits[0] & 0x7fffffff;
          const step = (1 + Math.floor(next() * 3)) * (next() < 0.5 ? -1 : 1);
          if (magnitude > 8 && magnitude < 0x7f000000) bits[0] += step;
        }
        block[i] = sample[0];
      }
      offset += length;
    };
  };
  return { seed, rng, noisePixels, audioNoise };
}

/** An expression that evaluates to the window's kit in whatever realm runs it. */
export function noiseKitSource(seedHex: string): string {
  return `(${noiseKit.toString()})(${JSON.stringify(seedHex)})`;
}
