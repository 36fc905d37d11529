/**
 * The window's noise in its workers (dedicated, shared, service), where no content script runs.
 *
 * The bundled extension's privileged part (worker-extension.ts) attaches a worker debugger to every
 * web worker before its first script runs and loads `workerDebuggerScript` into it. Nothing is
 * replaced in the worker: its canvas functions stay its own natives, so `toString`, `name`,
 * `length`, own keys, constructor checks, foreign-receiver TypeErrors and stack traces are exactly
 * a native's. The debugger watches native calls instead (`Debugger.onNativeCall`) and, for a
 * canvas readback, answers with what the native returns plus the window's noise — the same kit as
 * the page's (pixel-noise.ts), so a drawing reads the same pixel for pixel in page and worker.
 *
 * What it costs: a debugger that watches native calls puts the worker in debug mode (no optimizing
 * JIT; every native call through the debugger), so it watches only from the first script whose
 * source names a readback (READBACK_WORDS). `onNewScript` sees every script after it is compiled
 * and before it runs — the main one, importScripts, eval and new Function, blob, data and service
 * workers — and costs nothing itself. Measured on the shared 2-core machine (test/fingerprint/
 * worker-speed.ts, medians of 5, every worker kind): a worker that never names a readback runs 10⁶
 * integer operations in 1.1–2.6 ms and 2·10⁵ Math calls in 0.2–0.3 ms, as without the extension
 * (1.2–2.1 ms, 0.2–0.45 ms); one that does runs them in 70–260 ms and 0.45–1.8 s from that script
 * on. Wasm is not slowed (11–15 ms for 10⁷ steps either way) because the debugger leaves it
 * unobserved; observed, it was 8x slower. A name built at run time (`ctx['get' + 'ImageData']`) in
 * a script that names no other readback word is not seen, and that worker's readbacks are not
 * noised. Switching the hook off gives a worker its full speed back at once (measured), but it
 * stays on: nothing cheaper would see the worker's later readbacks.
 *
 * Both functions are serialized with `toString()`: they must not use anything from outside their
 * bodies but what they are given.
 */
import type { NoiseKit } from './pixel-noise';
import { noiseKitSource } from './pixel-noise';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any --
   the worker's objects are reached through SpiderMonkey's Debugger API, which has no TypeScript types. */

/** Runs in the worker's own realm (compiled there by the debugger, never reachable from the worker's scripts). */
function workerHelpers(kit: NoiseKit) {
  const scope = globalThis as any;
  // Taken before any worker script runs.
  const OffscreenCanvas = scope.OffscreenCanvas;
  const offProto = OffscreenCanvas?.prototype;
  const getContext = offProto?.getContext;
  const ctxProto = scope.OffscreenCanvasRenderingContext2D?.prototype;
  const getImageData = ctxProto?.getImageData;
  const putImageData = ctxProto?.putImageData;
  const drawImage = ctxProto?.drawImage;
  return {
    image(image: any) {
      kit.noisePixels(image.data, image.data.length);
    },
    /** A noised copy of an OffscreenCanvas to encode instead of it, or null to encode it as it is. */
    copy(canvas: any) {
      if (!(canvas instanceof OffscreenCanvas)) return null;
      const { width, height } = canvas;
      if (!width || !height || width * height > 16_777_216) return null;
      const copy = new OffscreenCanvas(width, height);
      const context = Reflect.apply(getContext, copy, ['2d']);
      Reflect.apply(drawImage, context, [canvas, 0, 0]);
      const image: any = Reflect.apply(getImageData, context, [0, 0, width, height]);
      kit.noisePixels(image.data, image.data.length);
      Reflect.apply(putImageData, context, [image, 0, 0]);
      return copy;
    },
    pixels(args: any) {
      const [, , width, height, format, type, pixels] = args;
      // RGBA bytes into a typed array: what fingerprinting reads; other layouts are left alone.
      if (format === 0x1908 && type === 0x1401 && pixels && typeof pixels === 'object' && 'length' in pixels) {
        kit.noisePixels(pixels, Math.min(pixels.length, width * height * 4));
      }
    },
  };
}

/** Runs in the WorkerDebuggerGlobalScope the debugger script is loaded into; `helpersSource` evaluates to workerHelpers' result. */
function workerDebugger(helpersSource: string, readbackWords: string[]): void {
  const scope = globalThis as any;
  try {
    const dbg = new scope.Debugger();
    // Held by the debugger's global: a Debugger whose only hook is onNativeCall is otherwise
    // collected at the worker's next GC, and its readbacks go back to unnoised.
    scope.windowNoise = dbg;
    // Without this a debuggee compiles wasm with debug instrumentation (8x slower) and refuses asm.js.
    dbg.allowUnobservedAsmJS = true;
    dbg.allowUnobservedWasm = true;
    const worker = dbg.addDebuggee(scope.global);
    const helpers = worker.executeInGlobal(helpersSource, { url: '' }).return;
    const get = (object: any, key: string) => object?.getProperty(key).return;
    const method = (owner: string, name: string) => get(get(worker, owner), 'prototype')?.getOwnPropertyDescriptor(name)?.value;
    const handlers = new Map<any, (self: any, args: any, callee: any) => { return: any } | undefined>();
    const argList = (args: any) => {
      const length = get(args, 'length') ?? 0;
      return Array.from({ length }, (_, i) => args.getProperty(i).return);
    };
    // A readback that fails is left to the native, which then throws its own error from the caller's frame.
    const noisedResult = (helper: string) => (self: any, args: any, callee: any) => {
      const done = callee.apply(self, argList(args));
      if (!done || !('return' in done)) return undefined;
      get(helpers, helper).call(undefined, helper === 'pixels' ? args : done.return);
      return { return: done.return };
    };
    const getImageData = method('OffscreenCanvasRenderingContext2D', 'getImageData');
    if (getImageData) handlers.set(getImageData, noisedResult('image'));
    for (const gl of ['WebGLRenderingContext', 'WebGL2RenderingContext']) {
      const readPixels = method(gl, 'readPixels');
      if (readPixels) handlers.set(readPixels, noisedResult('pixels'));
    }
    const convertToBlob = method('OffscreenCanvas', 'convertToBlob');
    if (convertToBlob) {
      handlers.set(convertToBlob, (self, args, callee) => {
        const copy = get(helpers, 'copy').call(undefined, self);
        if (!copy || !copy.return) return undefined;
        const done = callee.apply(copy.return, argList(args));
        return done && 'return' in done ? { return: done.return } : undefined;
      });
    }
    const readback = new RegExp(readbackWords.join('|'));
    const watch = (callee: any, reason: string, self: any, args: any) => {
      const handler = reason === 'call' ? handlers.get(callee) : undefined;
      if (!handler) return undefined;
      // Unwatched while the readback and the noise run: their own native calls need no look.
      dbg.onNativeCall = undefined;
      try {
        return handler(self, args, callee);
      } catch {
        return undefined;
      } finally {
        dbg.onNativeCall = watch;
      }
    };
    // Watched only from the first script that names a readback: until then the worker runs at full
    // speed (onNewScript alone keeps the JIT). Every script is seen before it runs — the main one,
    // importScripts, eval and new Function, blob and data workers — so the hook is on for its first call.
    dbg.onNewScript = (script: any) => {
      if (script.format === 'wasm') return;
      let text: unknown;
      try {
        text = script.source.text;
      } catch {
        text = undefined;
      }
      if (typeof text === 'string' && !readback.test(text)) return;
      dbg.onNewScript = undefined;
      dbg.inspectNativeCallArguments = true;
      dbg.onNativeCall = watch;
    };
  } finally {
    // The worker waits for this before it runs anything of its own.
    scope.postMessage('ready');
  }
}
/* eslint-enable */

/**
 * The readbacks the debugger answers, by name. A script that names none of them cannot read a
 * canvas back but through one that does (a name built at run time, `ctx['get' + 'ImageData']`, is
 * not seen: see the header). Drawing alone (`OffscreenCanvas`, `getContext`, a map or a game
 * rendering in a worker) does not arm the watch: it would slow every frame for nothing.
 */
export const READBACK_WORDS = ['getImageData', 'convertToBlob', 'readPixels'];

export function workerDebuggerScript(seed: string): string {
  const helpers = `(${workerHelpers.toString()})(${noiseKitSource(seed)})`;
  return `(${workerDebugger.toString()})(${JSON.stringify(helpers)}, ${JSON.stringify(READBACK_WORDS)});`;
}
