import { replicate } from './border';
import { luma4 } from './luma';

/** The luma plane of `pixels` RGBA pixels into `gray` (one byte each), and its histogram into
 *  256 u32 at `hist` (zeroed by the caller, 2 KB: two sets of counters, summed at the end). */
export function lumaPlane(src: usize, gray: usize, pixels: i32, hist: usize): void {
  const end = gray + <usize>pixels;
  for (let s = src, g = gray; g < end; s += 64, g += 16) {
    const lo = i16x8.narrow_i32x4_u(luma4(v128.load(s)), luma4(v128.load(s, 16)));
    const hi = i16x8.narrow_i32x4_u(luma4(v128.load(s, 32)), luma4(v128.load(s, 48)));
    v128.store(g, i8x16.narrow_i16x8_u(lo, hi));
  }
  const second = hist + 1024;
  const pairs = gray + <usize>(pixels & ~1);
  for (let g = gray; g < pairs; g += 2) {
    const a = hist + (<usize>load<u8>(g) << 2);
    const b = second + (<usize>load<u8>(g, 1) << 2);
    store<u32>(a, load<u32>(a) + 1);
    store<u32>(b, load<u32>(b) + 1);
  }
  if (pixels & 1) {
    const a = hist + (<usize>load<u8>(pairs) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  for (let i: usize = 0; i < 256; i++) store<u32>(hist + (i << 2), load<u32>(hist + (i << 2)) + load<u32>(second + (i << 2)));
}

/** Every pixel white where its luma is above `level`, else black; alpha kept. */
export function threshold(src: usize, gray: usize, dst: usize, pixels: i32, level: i32): void {
  const t = i8x16.splat(<i8>level);
  const end = gray + <usize>pixels;
  for (let g = gray, s = src, d = dst; g < end; g += 16, s += 64, d += 64) {
    const white = i8x16.gt_u(v128.load(g), t);
    storeMasked(d, s, i8x16.shuffle(white, white, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
    storeMasked(d + 16, s + 16, i8x16.shuffle(white, white, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7));
    storeMasked(d + 32, s + 32, i8x16.shuffle(white, white, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11));
    storeMasked(d + 48, s + 48, i8x16.shuffle(white, white, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15));
  }
}

/** Four pixels: RGB from the all-ones or all-zeros `white` words, alpha from `src`. */
// @ts-ignore: decorator
@inline
function storeMasked(dst: usize, src: usize, white: v128): void {
  v128.store(dst, v128.bitselect(v128.load(src), white, i32x4.splat(0xff000000)));
}

/**
 * cv2.adaptiveThreshold(MEAN_C, THRESH_BINARY) on the luma plane: white where
 * luma + ceil(C) > the block mean (BORDER_REPLICATE, rounded as boxFilter does). A column-sum row
 * slides down the image; along a row the block sums are differences of its prefix sums.
 * `scratch` needs adaptiveScratchBytes(w, blockSize).
 */
export function adaptiveThreshold(src: usize, gray: usize, dst: usize, w: i32, h: i32, blockSize: i32, idelta: i32, scratch: usize): void {
  const r = blockSize >> 1;
  const columns = scratch; // i32 per column, whole vectors of 16
  const prefix = columns + (<usize>((w + 15) & ~15) << 2) + 64; // i32, w + 2r + 1 entries
  const inverse = f64x2.splat(1.0 / <f64>(blockSize * blockSize));
  const delta = i32x4.splat(idelta);
  memory.fill(columns, 0, <usize>((w + 15) & ~15) << 2);
  for (let t = -r; t <= r; t++) addRow(columns, gray + <usize>replicate(t, h) * w, 0, w);
  for (let y = 0; y < h; y++) {
    let sum: i32 = 0;
    store<i32>(prefix, 0);
    for (let j = 0; j < w + 2 * r; j++) {
      sum += load<i32>(columns + (<usize>replicate(j - r, w) << 2));
      store<i32>(prefix + (<usize>(j + 1) << 2), sum);
    }
    const row = <usize>y * w;
    for (let x = 0; x < w; x += 4) {
      const box = i32x4.sub(v128.load(prefix + (<usize>(x + 2 * r + 1) << 2)), v128.load(prefix + (<usize>x << 2)));
      const low = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.mul(f64x2.convert_low_i32x4_s(box), inverse)));
      const high = i32x4.trunc_sat_f64x2_s_zero(
        f64x2.nearest(f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(box, box, 2, 3, 0, 1)), inverse)),
      );
      const mean = i32x4.shuffle(low, high, 0, 1, 4, 5);
      const luma = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(gray + row + <usize>x)));
      storeMasked(dst + ((row + <usize>x) << 2), src + ((row + <usize>x) << 2), i32x4.gt_s(i32x4.add(luma, delta), mean));
    }
    if (y + 1 < h) {
      addRow(columns, gray + <usize>replicate(y + r + 1, h) * w, gray + <usize>replicate(y - r, h) * w, w);
    }
  }
}

export function adaptiveScratchBytes(w: i32, blockSize: i32): i32 {
  return (((w + 15) & ~15) << 2) + 64 + ((w + 2 * (blockSize >> 1) + 1 + 4) << 2) + 64;
}

/** columns += row `add` − row `sub` (sub = 0: add only), 16 columns per step. */
function addRow(columns: usize, add: usize, sub: usize, w: i32): void {
  for (let x = 0; x < w; x += 16) {
    const a = v128.load(add + <usize>x);
    const b = sub ? v128.load(sub + <usize>x) : i8x16.splat(0);
    const c = columns + (<usize>x << 2);
    // Widen both to i16 before subtracting: the difference is signed.
    const lo = i16x8.sub(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(b));
    const hi = i16x8.sub(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(b));
    v128.store(c, i32x4.add(v128.load(c), i32x4.extend_low_i16x8_s(lo)));
    v128.store(c, i32x4.add(v128.load(c, 16), i32x4.extend_high_i16x8_s(lo)), 16);
    v128.store(c, i32x4.add(v128.load(c, 32), i32x4.extend_low_i16x8_s(hi)), 32);
    v128.store(c, i32x4.add(v128.load(c, 48), i32x4.extend_high_i16x8_s(hi)), 48);
  }
}
