/**
 * The audio part of the page-realm script (page-realm.ts): a window's noise on what the page reads
 * of rendered sound — AudioBuffer samples, an analyser's float readings, a compressor's reduction.
 *
 * Every wrapper behaves as the native does toward the page: the receiver is checked first, each
 * argument is converted once and in order (a `valueOf` runs once, as natively), a missing or
 * unconvertible argument reaches the native untouched so its own error is thrown, and the native is
 * then called with the converted values. Samples a page writes read back exact.
 *
 * `audioRealm` is serialized with `toString()` and evaluated in the content script: it must not use
 * anything from outside its body but what it is given.
 */
import type { NoiseKit } from './pixel-noise';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any --
   the page's objects are reached through Firefox's Xray wrappers, which have no TypeScript types. */
export interface AudioRealmTools {
  /** The page's global, through its Xray wrapper. */
  page: any;
  /** Replaces `proto[name]` with a function native to the page (page-realm.ts). */
  install: (proto: any, name: string, impl: (self: any, args: any[]) => unknown, kind?: 'value' | 'get') => unknown;
  cloneInto: <T>(value: T, target: unknown) => T;
  audioNoise: NoiseKit['audioNoise'];
}

export function audioRealm({ page, install, cloneInto, audioNoise }: AudioRealmTools): void {
  const own = (proto: any, name: string | symbol, kind: 'value' | 'get' = 'value') => {
    const desc = proto && Reflect.getOwnPropertyDescriptor(proto, name);
    return kind === 'value' ? desc?.value : desc?.get;
  };
  // A typed array's kind, read without running any page code (undefined for anything else).
  const typedArrayTag = own(Reflect.getPrototypeOf(page.Float32Array.prototype), Symbol.toStringTag, 'get');
  const isFloat32Array = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return false;
    return Reflect.apply(typedArrayTag, value, []) === 'Float32Array';
  };
  // WebIDL's `unsigned long`, converted once: an object through the page's own Number (its valueOf
  // runs in the page, once); a BigInt or a Symbol is left to the native, which throws.
  const convertible = (value: unknown) => typeof value !== 'bigint' && typeof value !== 'symbol';
  const unsignedLong = (value: unknown): number => {
    const number: number =
      typeof value === 'object' || typeof value === 'function' ? Reflect.apply(page.Number, undefined, [value]) : Number(value);
    return number >>> 0;
  };

  // A page's Float32Array through `noise`, in place. Only this realm's own TypedArray functions
  // touch it (a method looked up on the page's array would find what the page put on its
  // prototype): a whole channel is copied in one call (a transient copy of its size; sample by
  // sample through the Xray wrapper takes ~0.1 µs each, in bulk ~15 ns); a reading shorter than
  // its array (an analyser's, at most 32,768 values) goes value by value.
  const typedArrayProto = Reflect.getPrototypeOf(Float32Array.prototype) as object;
  const setFrom = own(typedArrayProto, 'set') as (source: ArrayLike<number>, offset?: number) => void;
  const lengthOf = own(typedArrayProto, 'length', 'get') as () => number;
  const noiseAll = (array: any, noise: (samples: Float32Array, length: number) => void, total: number) => {
    if (total >= Reflect.apply(lengthOf, array, [])) {
      const copy = new Float32Array(total);
      Reflect.apply(setFrom, copy, [array]);
      noise(copy, total);
      Reflect.apply(setFrom, array, [cloneInto(copy, page)]);
      return;
    }
    const copy = new Float32Array(total);
    for (let i = 0; i < total; i++) copy[i] = array[i];
    noise(copy, total);
    for (let i = 0; i < total; i++) array[i] = copy[i];
  };

  // Samples: the window's noise, once per channel of a buffer, on its first read.
  const audioProto = page.AudioBuffer?.prototype;
  const getChannelData = own(audioProto, 'getChannelData');
  const channelCount = own(audioProto, 'numberOfChannels', 'get');
  if (!getChannelData || !channelCount) return;
  const channelsOf = (self: unknown): number => {
    try {
      return Reflect.apply(channelCount, self, []);
    } catch {
      return -1;
    }
  };
  const noised = new WeakMap<object, Set<number>>();
  const noiseChannel = (buffer: any, channel: number) => {
    const data: any = Reflect.apply(getChannelData, buffer, [channel]);
    const done = noised.get(buffer) ?? new Set<number>();
    if (done.has(channel)) return data;
    done.add(channel);
    noised.set(buffer, done);
    noiseAll(data, audioNoise(channel), Reflect.apply(lengthOf, data, []));
    return data;
  };

  install(audioProto, 'getChannelData', (self, args) => {
    if (channelsOf(self) < 0 || args.length < 1 || !convertible(args[0])) return Reflect.apply(getChannelData, self, args);
    const channel = unsignedLong(args[0]);
    // Throws the native's own error for a channel out of range.
    Reflect.apply(getChannelData, self, [channel]);
    return noiseChannel(self, channel);
  });
  // copyFromChannel(destination, channel, offset) copies noised samples; copyToChannel(source,
  // channel, offset) noises the channel first (a rendered signal under the page's samples must not
  // read back bare), then writes the page's samples, which read back exact.
  for (const name of ['copyFromChannel', 'copyToChannel']) {
    const copy = own(audioProto, name);
    if (!copy) continue;
    install(audioProto, name, (self, args) => {
      const channels = channelsOf(self);
      if (channels < 0 || args.length < 2 || !isFloat32Array(args[0]) || !convertible(args[1])) return Reflect.apply(copy, self, args);
      const channel = unsignedLong(args[1]);
      if (args.length > 2 && !convertible(args[2])) return Reflect.apply(copy, self, [args[0], channel, args[2]]);
      const offset = args.length > 2 ? unsignedLong(args[2]) : 0;
      if (channel < channels) noiseChannel(self, channel);
      return Reflect.apply(copy, self, [args[0], channel, offset]);
    });
  }

  // What an analyser reads of a signal and a compressor's gain reduction are the device's output
  // too: the same gain and steps, each reading under a key of its own (a channel never reaches it).
  const analyser = page.AnalyserNode?.prototype;
  const binCount = own(analyser, 'frequencyBinCount', 'get');
  const fftSize = own(analyser, 'fftSize', 'get');
  for (const [name, key] of [
    ['getFloatFrequencyData', 0x10000],
    ['getFloatTimeDomainData', 0x10001],
  ] as const) {
    const read = binCount && fftSize && own(analyser, name);
    if (!read) continue;
    install(analyser, name, (self, args) => {
      // Validates the receiver and the array natively, and fills it.
      Reflect.apply(read, self, args);
      const array = args[0];
      const filled: number = Reflect.apply(key === 0x10000 ? binCount : fftSize, self, []);
      noiseAll(array, audioNoise(key), Math.min(Reflect.apply(lengthOf, array, []), filled));
    });
  }
  const compressor = page.DynamicsCompressorNode?.prototype;
  const reduction = own(compressor, 'reduction', 'get');
  if (reduction) {
    install(
      compressor,
      'reduction',
      (self) => {
        const value = new Float32Array([Reflect.apply(reduction, self, [])]);
        audioNoise(0x10002)(value, 1);
        return value[0];
      },
      'get',
    );
  }
}
