/**
 * The pixel convention every kernel shares with its Python twin: RGBA, 8 bits per channel, rows
 * top to bottom, exactly what a canvas ImageData holds. Ops work on RGB and keep alpha as they
 * found it, except background_removal, which writes its mask into alpha.
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export function makeImage(width: number, height: number, data?: Uint8ClampedArray): RgbaImage {
  const expected = width * height * 4;
  if (data && data.length !== expected) {
    throw new RangeError(`an RGBA ${width}x${height} image needs ${expected} bytes, got ${data.length}`);
  }
  return { width, height, data: data ?? new Uint8ClampedArray(expected) };
}

/** A 32-bit view on the same bytes: one word per pixel, R in the low byte (little-endian, as on
 *  every platform a browser runs on). Reading whole pixels is several times faster than bytes.
 *  Signed on purpose: an opaque pixel is above 2^31, which a Uint32Array would hand out as a
 *  double, taking the JIT off its integer fast path. */
export function words(data: Uint8ClampedArray): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.byteLength >>> 2);
}

/** Throw a RangeError naming the op and field unless `value` is a number in [min, max]. These are
 *  the limits of a kernel's own arithmetic (a blur table of at most 31 taps, a size the memory can
 *  hold), for a kernel called alone; what a pipeline may ask is the contract's, checked once by
 *  planSteps (contract/index.ts), and is stricter. */
export function checkRange(op: string, field: string, value: unknown, min: number, max: number, integer = false): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) throw new RangeError(`${op} ${field} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`);
}

/** BT.601 luma exactly as OpenCV 5's cvtColor(RGB2GRAY) computes it for 8 bits: 15 fractional
 *  bits, rounded (checked bit for bit against cv2 on 2 million random colours; the 14-bit
 *  coefficients of older OpenCV differ in about 0.3% of colours by one level). */
export function luma(r: number, g: number, b: number): number {
  return (r * 9798 + g * 19235 + b * 3735 + 16384) >> 15;
}

/** OpenCV's BORDER_REFLECT_101 index (…2 1 | 0 1 2 … n-2 n-1 | n-2 …), for any overshoot. */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** OpenCV's BORDER_REPLICATE index (aaa | a b c | ccc). */
export function replicate(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Round to the nearest integer, ties to even: what numpy's and OpenCV's rounding does (and
 *  Python's round()), where Math.round sends every .5 up. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
