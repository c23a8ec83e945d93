/**
 * Twin of warpQuad in kernels/crop_document.ts: each output pixel mapped back through the 3×3
 * homography `m` (nine f64) into the source, bilinear over all four channels with the border
 * replicated, in the same f64 steps as the TypeScript loop (x and y share each operation as the
 * two lanes of one vector), then rounded half to even and clamped as a Uint8ClampedArray store.
 */
export function warp(src: usize, sw: i32, sh: i32, dst: usize, w: i32, h: i32, m: usize): void {
  const m6 = load<f64>(m, 48);
  const m7 = load<f64>(m, 56);
  const m8 = load<f64>(m, 64);
  const xTerms = f64x2(load<f64>(m, 0), load<f64>(m, 24)); // (m0, m3)
  const yTerms = f64x2(load<f64>(m, 8), load<f64>(m, 32)); // (m1, m4)
  const constants = f64x2(load<f64>(m, 16), load<f64>(m, 40)); // (m2, m5)
  const lastX = <f64>(sw - 1);
  const lastY = <f64>(sh - 1);
  const one = f64x2.splat(1);
  for (let y = 0; y < h; y++) {
    const Y = <f64>y;
    const out = dst + ((<usize>y * w) << 2);
    for (let x = 0; x < w; x++) {
      const X = <f64>x;
      const z = m6 * X + m7 * Y + m8;
      const mapped = f64x2.div(f64x2.add(f64x2.add(f64x2.mul(xTerms, f64x2.splat(X)), f64x2.mul(yTerms, f64x2.splat(Y))), constants), f64x2.splat(z));
      const corner = f64x2.floor(mapped);
      const frac = f64x2.sub(mapped, corner);
      const x0 = f64x2.extract_lane(corner, 0);
      const y0 = f64x2.extract_lane(corner, 1);
      const xa = <usize><i32>(min(lastX, max(0, x0)));
      const xb = <usize><i32>(min(lastX, max(0, x0 + 1)));
      const ya = src + ((<usize><i32>(min(lastY, max(0, y0))) * sw) << 2);
      const yb = src + ((<usize><i32>(min(lastY, max(0, y0 + 1))) * sw) << 2);
      const ax = f64x2.splat(f64x2.extract_lane(frac, 0));
      const ay = f64x2.splat(f64x2.extract_lane(frac, 1));
      const bx = f64x2.sub(one, ax);
      const by = f64x2.sub(one, ay);
      const a = pixel(ya + (xa << 2));
      const b = pixel(ya + (xb << 2));
      const c = pixel(yb + (xa << 2));
      const d = pixel(yb + (xb << 2));
      // Lanes (R, G) from the low halves, (B, A) from the high: top, bottom, then between them.
      const rg = blend(blend(low(a), low(b), bx, ax), blend(low(c), low(d), bx, ax), by, ay);
      const ba = blend(blend(high(a), high(b), bx, ax), blend(high(c), high(d), bx, ax), by, ay);
      const words = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(rg)), i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(ba)), 0, 1, 4, 5);
      const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(words, words), words);
      store<u32>(out + (<usize>x << 2), i32x4.extract_lane(bytes, 0));
    }
  }
}

/** One RGBA pixel as four i32 lanes. */
// @ts-ignore: decorator
@inline
function pixel(at: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(at)));
}

// @ts-ignore: decorator
@inline
function low(v: v128): v128 {
  return f64x2.convert_low_i32x4_u(v);
}

// @ts-ignore: decorator
@inline
function high(v: v128): v128 {
  return f64x2.convert_low_i32x4_u(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** p·wp + q·wq, as `p * (1 - t) + q * t` is written in the TypeScript loop. */
// @ts-ignore: decorator
@inline
function blend(p: v128, q: v128, wp: v128, wq: v128): v128 {
  return f64x2.add(f64x2.mul(p, wp), f64x2.mul(q, wq));
}
