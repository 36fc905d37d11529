import { InvalidParamError } from '@cos/contracts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Pixels on a side, at most: Firefox draws no larger canvas. */
export const SHOT_SIDE_MAX = 32_767;
/** Pixels in all, at most: a teammate's browser decodes the image (a small file of a huge area would take gigabytes). */
export const SHOT_PIXELS_MAX = 50_000_000;

/**
 * A screenshot's bytes as a PNG and nothing else: the signature, IHDR first with a sane size, every
 * chunk whole with a four-letter name, IEND last and nothing after it. What a device sends is shown
 * to teammates in the console, so anything else (HTML, SVG, a polyglot with a tail) is refused.
 */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const refuse = (why: string): never => {
    throw new InvalidParamError(`The screenshot is not a PNG image: ${why}`);
  };
  if (bytes.length < 8 + 25 + 12 || !bytes.subarray(0, 8).equals(SIGNATURE)) refuse('it does not start with the PNG signature');
  let at = 8;
  let first = true;
  let width = 0;
  let height = 0;
  for (;;) {
    if (at + 12 > bytes.length) refuse('a chunk runs past the end');
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) refuse(`a chunk is named ${JSON.stringify(type)}`);
    if (length > bytes.length - at - 12) refuse(`chunk ${type} runs past the end`);
    if (first) {
      if (type !== 'IHDR' || length !== 13) refuse('IHDR is not the first chunk');
      width = bytes.readUInt32BE(at + 8);
      height = bytes.readUInt32BE(at + 12);
      if (width < 1 || height < 1 || width > SHOT_SIDE_MAX || height > SHOT_SIDE_MAX || width * height > SHOT_PIXELS_MAX)
        refuse(`it is ${width}×${height} pixels (at most ${SHOT_SIDE_MAX} a side and ${SHOT_PIXELS_MAX} in all)`);
      first = false;
    }
    at += 12 + length;
    if (type === 'IEND') {
      if (at !== bytes.length) refuse('bytes follow its end');
      return { width, height };
    }
  }
}
