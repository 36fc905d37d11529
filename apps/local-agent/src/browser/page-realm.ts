/**
 * The script the window's bundled extension runs at document_start in every frame (about:blank
 * included) — everything no Firefox preference can do. It runs as a content script and installs its
 * functions into the page with `exportFunction`: they are native functions of the page's realm, so
 * `toString` says `[native code]`, errors thrown for a foreign receiver are the page's own
 * TypeErrors, and no extension frame appears in a stack trace.
 *
 * - `navigator.webdriver` is false (Firefox sets it while WebDriver BiDi is active).
 * - Canvas (2D, OffscreenCanvas, WebGL readPixels), audio (samples, analyser readings, a
 *   compressor's reduction) and fractional client rects get
 *   a small noise seeded from the window: the same drawing reads the same for one window on every
 *   device and every run, and differently in every other window.
 * - An audio output with no device behind it (a display-less machine) still reports stereo.
 *
 * `realm` is serialized with `toString()`: it must not use anything from outside its body but the
 * noise kit it is given (pixel-noise.ts, the same in every worker) and the audio part (audio-realm.ts).
 */
import { audioRealm } from './audio-realm';
import { NoiseKit, noiseKitSource } from './pixel-noise';

export interface RealmConfig {
  /** 32 hex digits. */
  seed: string;
}

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any --
   the page's objects are reached through Firefox's Xray wrappers, which have no TypeScript types. */
function realm(kit: NoiseKit, audio: typeof audioRealm): void {
  const scope = globalThis as any;
  const page = scope.wrappedJSObject;
  const exportFunction = scope.exportFunction as (fn: (...args: any[]) => unknown, target: unknown, options?: { defineAs?: string }) => any;
  const cloneInto = scope.cloneInto as <T>(value: T, target: unknown) => T;
  if (!page || typeof exportFunction !== 'function' || typeof cloneInto !== 'function') return;
  // Taken before any page script runs: a page may replace its globals later.
  const PageTypeError = page.TypeError;
  const { seed, noisePixels, audioNoise } = kit;

  const pageTypeError = (message: string) => new PageTypeError(message);
  const install = (proto: any, name: string, impl: (self: any, args: any[]) => unknown, kind: 'value' | 'get' = 'value') => {
    if (!proto) return;
    const desc = Reflect.getOwnPropertyDescriptor(proto, name);
    const original = kind === 'value' ? desc?.value : desc?.get;
    if (typeof original !== 'function') return;
    // Exported onto a throwaway page object: `defineAs` on the window would leave a global behind.
    const holder = new page.Object();
    exportFunction(
      function (this: unknown, ...args: unknown[]) {
        if (new.target) throw pageTypeError(`${kind === 'get' ? 'getter' : name} is not a constructor`);
        return impl(this, args);
      },
      holder,
      { defineAs: name },
    );
    const fn = holder[name];
    const waived = fn.wrappedJSObject ?? fn;
    // In the order a native function lists them when first asked: length, then name.
    Reflect.defineProperty(waived, 'length', { value: original.length, configurable: true });
    if (kind === 'get') Reflect.defineProperty(waived, 'name', { value: `get ${name}`, configurable: true });
    Reflect.defineProperty(proto, name, kind === 'value' ? { ...desc, value: fn } : { ...desc, get: fn });
    return original;
  };

  const nav = page.Navigator?.prototype;
  const webdriver: any = Reflect.getOwnPropertyDescriptor(nav ?? {}, 'webdriver')?.get;
  install(nav, 'webdriver', (self) => (Reflect.apply(webdriver, self, []), false), 'get');

  const ctx2d = page.CanvasRenderingContext2D?.prototype;
  const getImageData = ctx2d && Reflect.getOwnPropertyDescriptor(ctx2d, 'getImageData')?.value;
  const noisedImage = (original: any) => (self: any, args: any[]) => {
    const image: any = Reflect.apply(original, self, args);
    noisePixels(image.data, image.data.length);
    return image;
  };
  if (getImageData) install(ctx2d, 'getImageData', noisedImage(getImageData));
  const offCtx = page.OffscreenCanvasRenderingContext2D?.prototype;
  const offGetImageData = offCtx && Reflect.getOwnPropertyDescriptor(offCtx, 'getImageData')?.value;
  if (offGetImageData) install(offCtx, 'getImageData', noisedImage(offGetImageData));

  /**
   * A copy of a canvas with the window's noise in it, to encode instead of the canvas itself;
   * `read` is the copy's own getImageData (an OffscreenCanvas context is no CanvasRenderingContext2D).
   */
  const noisedCopy = (canvas: any, make: (w: number, h: number) => any, read: any = getImageData) => {
    const width = canvas.width;
    const height = canvas.height;
    if (!width || !height || width * height > 16_777_216) return null;
    const copy = make(width, height);
    const context = copy.getContext('2d');
    context.drawImage(canvas, 0, 0);
    const image: any = Reflect.apply(read, context, [0, 0, width, height]);
    noisePixels(image.data, image.data.length);
    context.putImageData(image, 0, 0);
    return copy;
  };
  const canvasProto = page.HTMLCanvasElement?.prototype;
  const htmlCopy = (self: any) => {
    if (!(self instanceof scope.HTMLCanvasElement)) return null;
    return noisedCopy(self, (w, h) => {
      const c = self.ownerDocument.createElement('canvas');
      c.width = w;
      c.height = h;
      return c;
    });
  };
  for (const name of ['toDataURL', 'toBlob']) {
    const original = canvasProto && Reflect.getOwnPropertyDescriptor(canvasProto, name)?.value;
    if (original) install(canvasProto, name, (self, args) => Reflect.apply(original, htmlCopy(self) ?? self, args));
  }
  const offProto = page.OffscreenCanvas?.prototype;
  const convertToBlob = offProto && Reflect.getOwnPropertyDescriptor(offProto, 'convertToBlob')?.value;
  if (convertToBlob) {
    install(offProto, 'convertToBlob', (self, args) => {
      const copy =
        self instanceof scope.OffscreenCanvas ? noisedCopy(self, (w, h) => new page.OffscreenCanvas(w, h), offGetImageData) : null;
      return Reflect.apply(convertToBlob, copy ?? self, args);
    });
  }
  for (const gl of ['WebGLRenderingContext', 'WebGL2RenderingContext']) {
    const proto = page[gl]?.prototype;
    const readPixels = proto && Reflect.getOwnPropertyDescriptor(proto, 'readPixels')?.value;
    if (!readPixels) continue;
    install(proto, 'readPixels', (self, args) => {
      const result = Reflect.apply(readPixels, self, args);
      const [, , width, height, format, type, pixels] = args as [number, number, number, number, number, number, any];
      // RGBA bytes into a typed array: what fingerprinting reads; other layouts are left alone.
      if (format === 0x1908 && type === 0x1401 && pixels && typeof pixels === 'object' && 'length' in pixels) {
        noisePixels(pixels, Math.min(pixels.length, width * height * 4));
      }
      return result;
    });
  }

  // Audio samples, analyser readings, a compressor's reduction (audio-realm.ts).
  audio({ page, install, cloneInto, audioNoise });

  const destination = page.AudioDestinationNode?.prototype;
  const maxChannelCount = destination && Reflect.getOwnPropertyDescriptor(destination, 'maxChannelCount')?.get;
  if (maxChannelCount) install(destination, 'maxChannelCount', (self) => Reflect.apply(maxChannelCount, self, []) || 2, 'get');

  // Client rects: a fractional value (text, transforms) moves by at most three of Firefox's app
  // units (1/60 px, so it stays on the grid layout uses), chosen by a full mix of the window's seed,
  // the value and what it measures (x, y, width or height): seven outcomes per value, drawn anew
  // for each of the four, so a few measured texts tell twenty windows apart. The same value in the
  // same role reads the same wherever it is read (an element, a range, a list of rects).
  const unit = 1 / 60;
  const mix = (h: number) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const nudge = (v: number, role: number) => {
    if (!Number.isFinite(v) || Number.isInteger(v)) return v;
    // Layout hands out float32 values: so does the nudge.
    return Math.fround(v + ((mix(seed ^ mix(Math.round(v * 60) ^ mix(role))) % 7) - 3) * unit);
  };
  const nudgeRect = (rect: any) => {
    const { x, y, width, height } = rect;
    rect.x = nudge(x, 1);
    rect.y = nudge(y, 2);
    rect.width = nudge(width, 3);
    rect.height = nudge(height, 4);
    return rect;
  };
  for (const owner of ['Element', 'Range']) {
    const proto = page[owner]?.prototype;
    const bounding = proto && Reflect.getOwnPropertyDescriptor(proto, 'getBoundingClientRect')?.value;
    if (bounding) install(proto, 'getBoundingClientRect', (self, args) => nudgeRect(Reflect.apply(bounding, self, args)));
    const rects = proto && Reflect.getOwnPropertyDescriptor(proto, 'getClientRects')?.value;
    if (rects) {
      install(proto, 'getClientRects', (self, args) => {
        const list: any = Reflect.apply(rects, self, args);
        for (let i = 0; i < list.length; i++) nudgeRect(list[i]);
        return list;
      });
    }
  }
}
/* eslint-enable */

export function pageRealmScript(config: RealmConfig): string {
  return `(${realm.toString()})(${noiseKitSource(config.seed)}, ${audioRealm.toString()});`;
}
