import { addWeighted, upper } from './rows';

/**
 * Twin of the full-resolution half of kernels/background_removal.ts (steps 10–11 and the blend):
 * the feathered working mask upsampled to alpha, and the background lifted toward white. Floats
 * follow the TypeScript loop step for step (f64 sums rounded to f32 where it stores into a
 * Float32Array), so the alpha is the same to the bit.
 */

/** across[y·W + X] = Σ weight · soft[y·w + index] over X's taps: each working row upsampled
 *  along x (f32 in, f64 sum, f32 out). */
export function upsampleRows(soft: usize, w: i32, h: i32, W: i32, xStart: usize, xIndex: usize, xWeight: usize, across: usize): void {
  for (let y = 0; y < h; y++) {
    const row = soft + ((<usize>y * w) << 2);
    const out = across + ((<usize>y * W) << 2);
    for (let X = 0; X < W; X++) {
      let v: f64 = 0;
      const end = load<i32>(xStart + (<usize>(X + 1) << 2));
      for (let t = load<i32>(xStart + (<usize>X << 2)); t < end; t++) {
        v += load<f64>(xWeight + (<usize>t << 3)) * <f64>load<f32>(row + (<usize>load<i32>(xIndex + (<usize>t << 2)) << 2));
      }
      store<f32>(out + (<usize>X << 2), <f32>v);
    }
  }
}

/**
 * alpha (width × height bytes) = round-half-even(255 · row) per pixel, where row is the blend of
 * the `across` rows chosen by the y taps of min(Y, H − 1); columns from W on repeat column W − 1.
 * `row` is scratch for W f32.
 */
export function softAlpha(
  across: usize, W: i32, H: i32, width: i32, height: i32,
  yStart: usize, yIndex: usize, yWeight: usize, row: usize, alpha: usize,
): void {
  const scale = f64x2.splat(255);
  for (let Y = 0; Y < height; Y++) {
    const y = min(Y, H - 1);
    memory.fill(row, 0, <usize>W << 2);
    const last = load<i32>(yStart + (<usize>(y + 1) << 2));
    for (let t = load<i32>(yStart + (<usize>y << 2)); t < last; t++) {
      const base = across + ((<usize>load<i32>(yIndex + (<usize>t << 2)) * W) << 2);
      const weight = f64x2.splat(load<f64>(yWeight + (<usize>t << 3)));
      for (let X: usize = 0; X < <usize>W; X += 4) {
        const a = v128.load(base + (X << 2));
        const low = f64x2.promote_low_f32x4(a);
        v128.store(row + (X << 2), addWeighted(v128.load(row + (X << 2)), weight, low, f64x2.promote_low_f32x4(upper(a))));
      }
    }
    // The f32 row times 255 in f64, rounded half to even; below 0 and above 255 saturate.
    const out = alpha + <usize>Y * width;
    for (let X: usize = 0; X < <usize>W; X += 4) {
      const v = v128.load(row + (X << 2));
      const low = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.mul(f64x2.promote_low_f32x4(v), scale)));
      const high = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.mul(f64x2.promote_low_f32x4(upper(v)), scale)));
      const words = i32x4.shuffle(low, high, 0, 1, 4, 5);
      const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(words, words), words);
      store<u32>(out + X, i32x4.extract_lane(bytes, 0));
    }
    const edge = load<u8>(out + <usize>(W - 1));
    for (let X = W; X < width; X++) store<u8>(out + <usize>X, edge);
  }
}

/** out = rgb lifted toward white by the weight of the pixel's alpha (tables from the caller:
 *  weights i32[256] already shifted left by 8, lifted u8[256 · 256]); alpha = the mask. */
export function liftBackground(src: usize, alpha: usize, dst: usize, pixels: i32, weights: usize, lifted: usize): void {
  for (let i: usize = 0; i < <usize>pixels; i++) {
    const a = <u32>load<u8>(alpha + i);
    const table = lifted + <usize>load<i32>(weights + (<usize>a << 2));
    const v = load<u32>(src + (i << 2));
    const r = <u32>load<u8>(table + (v & 0xff));
    const g = <u32>load<u8>(table + ((v >> 8) & 0xff));
    const b = <u32>load<u8>(table + ((v >> 16) & 0xff));
    store<u32>(dst + (i << 2), r | (g << 8) | (b << 16) | (a << 24));
  }
}

/**
 * Steps 2–3 (pageScore): the f×f block means of R, G and B (rounded half up) into `means` (three
 * bytes per block) and their minimum, one byte per block, into `score` (w × h, w = ⌊width / f⌋).
 * `sums` is scratch for w i32x4.
 */
export function pageScore(src: usize, width: i32, f: i32, w: i32, h: i32, score: usize, sums: usize, means: usize): void {
  const area = <f64>(f * f);
  const half = i32x4.splat((f * f) >> 1);
  for (let y = 0; y < h; y++) {
    memory.fill(sums, 0, <usize>w << 4);
    for (let dy = 0; dy < f; dy++) {
      let p = src + ((<usize>(y * f + dy) * width) << 2);
      for (let x = 0; x < w; x++) {
        let block = i32x4.splat(0);
        for (let dx = 0; dx < f; dx++, p += 4) {
          block = i32x4.add(block, i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
        }
        const at = sums + (<usize>x << 4);
        v128.store(at, i32x4.add(v128.load(at), block));
      }
    }
    const out = score + <usize>y * w;
    for (let x = 0; x < w; x++) {
      // (sum + half) / area, floored: exact in f64 for these small integers.
      const sum = i32x4.add(v128.load(sums + (<usize>x << 4)), half);
      const rg = f64x2.floor(f64x2.div(f64x2.convert_low_i32x4_u(sum), f64x2.splat(area)));
      const b = Math.floor(<f64>i32x4.extract_lane(sum, 2) / area);
      const r = f64x2.extract_lane(rg, 0);
      const g = f64x2.extract_lane(rg, 1);
      store<u8>(out + <usize>x, <u8>min(min(r, g), b));
      const rgb = means + (<usize>(y * w + x)) * 3;
      store<u8>(rgb, <u8>r);
      store<u8>(rgb, <u8>g, 1);
      store<u8>(rgb, <u8>b, 2);
    }
  }
}
