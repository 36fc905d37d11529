import { noiseKit } from './pixel-noise';

/** What FingerprintJS renders for its audio value: a 10 kHz triangle at 44.1 kHz, compressed. */
function rendered(): Float32Array {
  const data = new Float32Array(5000);
  for (let i = 0; i < data.length; i++) {
    const phase = (i * 10_000) / 44_100;
    data[i] = 0.2 * (4 * Math.abs(phase - Math.floor(phase + 0.5)) - 1);
  }
  return data;
}

/** FingerprintJS's audio value: the sum of the samples' magnitudes from 4500 on. */
const audioValue = (data: Float32Array) => data.subarray(4500).reduce((sum, v) => sum + Math.abs(v), 0);

const seedOf = (n: number) => n.toString(16).padStart(8, '0').repeat(4);

function noised(seed: string, channel = 0): Float32Array {
  const data = rendered();
  noiseKit(seed).audioNoise(channel)(data, data.length);
  return data;
}

describe('the audio noise', () => {
  it('gives each of 500 windows its own FingerprintJS audio value', () => {
    const values = new Set(Array.from({ length: 500 }, (_, n) => audioValue(noised(seedOf(n + 1)))));
    expect(values.size).toBe(500);
  });

  it('reads the same for one window every time, and differently per channel', () => {
    expect(noised(seedOf(7))).toEqual(noised(seedOf(7)));
    expect(audioValue(noised(seedOf(7), 1))).not.toBe(audioValue(noised(seedOf(7), 0)));
  });

  it('stays far below hearing and keeps silence silent', () => {
    const clean = rendered();
    for (let n = 1; n <= 50; n++) {
      const data = noised(seedOf(n));
      const worst = Math.max(...Array.from(data, (v, i) => Math.abs(v - clean[i]) / Math.max(Math.abs(clean[i]), 1e-30)));
      // 10⁻⁵ of the signal is -100 dB; a few float32 steps on top.
      expect(worst).toBeLessThan(1.1e-5);
    }
    const silence = new Float32Array(1000);
    noiseKit(seedOf(3)).audioNoise(0)(silence, silence.length);
    expect(silence.every((v) => v === 0)).toBe(true);
  });

  it('reads the same taken in blocks as taken whole', () => {
    const whole = noised(seedOf(9));
    const data = rendered();
    const noise = noiseKit(seedOf(9)).audioNoise(0);
    for (const [start, end] of [
      [0, 1000],
      [1000, 1001],
      [1001, 4096],
      [4096, 5000],
    ])
      noise(data.subarray(start, end), end - start);
    expect(data).toEqual(whole);
  });

  it('keeps plain values exact, keeps a waveform symmetric, and reads one value the same everywhere', () => {
    const plain = Float32Array.from([0.5, -0.25, 1, 0.75, 0]);
    noiseKit(seedOf(5)).audioNoise(0)(plain, plain.length);
    expect(Array.from(plain)).toEqual([0.5, -0.25, 1, 0.75, 0]);
    const wave = Float32Array.from([0.1, -0.1, 0.3, 0.1, -0.3]);
    noiseKit(seedOf(5)).audioNoise(0)(wave, wave.length);
    expect(wave[1]).toBe(-wave[0]);
    expect(wave[3]).toBe(wave[0]);
    expect(wave[4]).toBe(-wave[2]);
    expect(wave[0]).not.toBe(Math.fround(0.1));
  });

  it('cannot be cancelled in a ratio of two sums', () => {
    // A constant gain cancels: the ratio reads the device's own value in every window.
    const ratio = (data: Float32Array) => (audioValue(data) / data.reduce((sum, v) => sum + Math.abs(v), 0)).toPrecision(9);
    const clean = ratio(rendered());
    const same = Array.from({ length: 100 }, (_, n) => ratio(noised(seedOf(n + 1)))).filter((r) => r === clean);
    // A constant gain (the noise before this one) left 82 of 100 windows at the clean ratio.
    expect(same.length).toBeLessThanOrEqual(10);
  });
});
