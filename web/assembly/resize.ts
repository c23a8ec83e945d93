import { addWeighted, upper } from './rows';

/**
 * Twin of kernels/resize.ts's SIMD-able cases: the 2×2 box shrink (OpenCV's resizeAreaFast) in
 * integer lanes, and the separable resample (INTER_AREA taps when shrinking, INTER_LINEAR when
 * growing) in the same double-precision steps as the TypeScript loop, so the bits agree.
 */

/** dst (dw × dh) from src (sw wide, 2dw × 2dh used): each pixel the mean of a 2×2 block, rounded
 *  half up. Four output pixels per step, from eight source pixels on each of two rows. */
export function halve(src: usize, dst: usize, sw: i32, dw: i32, dh: i32): void {
  const two = i16x8.splat(2);
  for (let dy = 0; dy < dh; dy++) {
    const top = src + ((<usize>(2 * dy) * sw) << 2);
    const bottom = top + (<usize>sw << 2);
    const out = dst + ((<usize>dy * dw) << 2);
    for (let dx = 0; dx < dw; dx += 4) {
      const offset = <usize>dx << 3;
      const a = v128.load(top + offset);
      const b = v128.load(top + offset, 16);
      const c = v128.load(bottom + offset);
      const d = v128.load(bottom + offset, 16);
      // Column sums of pixels 0–1, 2–3, 4–5 and 6–7, as u16 lanes.
      const p01 = i16x8.add(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(c));
      const p23 = i16x8.add(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(c));
      const p45 = i16x8.add(i16x8.extend_low_i8x16_u(b), i16x8.extend_low_i8x16_u(d));
      const p67 = i16x8.add(i16x8.extend_high_i8x16_u(b), i16x8.extend_high_i8x16_u(d));
      // Add each even pixel to its odd neighbour: the first four lanes to the last four.
      const q0 = i16x8.add(i16x8.shuffle(p01, p23, 0, 1, 2, 3, 8, 9, 10, 11), i16x8.shuffle(p01, p23, 4, 5, 6, 7, 12, 13, 14, 15));
      const q1 = i16x8.add(i16x8.shuffle(p45, p67, 0, 1, 2, 3, 8, 9, 10, 11), i16x8.shuffle(p45, p67, 4, 5, 6, 7, 12, 13, 14, 15));
      const mean0 = i16x8.shr_u(i16x8.add(q0, two), 2);
      const mean1 = i16x8.shr_u(i16x8.add(q1, two), 2);
      v128.store(out + (<usize>dx << 2), i8x16.narrow_i16x8_u(mean0, mean1));
    }
  }
}

/**
 * The separable resample. Taps are (start: i32[n + 1], index: i32[], weight: f64[]) per axis, as
 * kernels/resize.ts builds them. Vertical pass first into `column` (f32 per source channel value:
 * each tap added in f64, then rounded to f32, as a Float32Array store does); then per output pixel
 * its horizontal taps summed in f64 and rounded half to even with clamping, as a
 * Uint8ClampedArray store does.
 */
export function separable(
  src: usize, dst: usize, sw: i32, dw: i32, dh: i32,
  xStart: usize, xIndex: usize, xWeight: usize,
  yStart: usize, yIndex: usize, yWeight: usize,
  column: usize,
): void {
  const rowBytes = <usize>sw << 2;
  for (let dy = 0; dy < dh; dy++) {
    memory.fill(column, 0, rowBytes << 2);
    const last = load<i32>(yStart + (<usize>(dy + 1) << 2));
    for (let t = load<i32>(yStart + (<usize>dy << 2)); t < last; t++) {
      const row = src + <usize>load<i32>(yIndex + (<usize>t << 2)) * rowBytes;
      const weight = f64x2.splat(load<f64>(yWeight + (<usize>t << 3)));
      for (let i: usize = 0; i < rowBytes; i += 4) {
        const values = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(row + i)));
        const sum = v128.load(column + (i << 2));
        const low = f64x2.convert_low_i32x4_u(values);
        v128.store(column + (i << 2), addWeighted(sum, weight, low, f64x2.convert_low_i32x4_u(upper(values))));
      }
    }
    const out = dst + ((<usize>dy * dw) << 2);
    for (let dx = 0; dx < dw; dx++) {
      let rg = f64x2.splat(0);
      let ba = f64x2.splat(0);
      const end = load<i32>(xStart + (<usize>(dx + 1) << 2));
      for (let t = load<i32>(xStart + (<usize>dx << 2)); t < end; t++) {
        const pixel = v128.load(column + (<usize>load<i32>(xIndex + (<usize>t << 2)) << 4));
        const weight = f64x2.splat(load<f64>(xWeight + (<usize>t << 3)));
        rg = f64x2.add(rg, f64x2.mul(weight, f64x2.promote_low_f32x4(pixel)));
        ba = f64x2.add(ba, f64x2.mul(weight, f64x2.promote_low_f32x4(upper(pixel))));
      }
      const rounded = i32x4.shuffle(
        i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(rg)),
        i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(ba)),
        0, 1, 4, 5,
      );
      const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(rounded, rounded), i16x8.splat(0));
      store<u32>(out + (<usize>dx << 2), i32x4.extract_lane(bytes, 0));
    }
  }
}
