// Row arithmetic shared by the resampling kernels.

/** `sum` (four f32) + `weight` (f64x2) × the four values given as two f64x2 halves, in f64 and
 *  rounded back to f32: what `row[i] += w * v` does on a Float32Array in TypeScript. */
// @ts-ignore: decorator
@inline
export function addWeighted(sum: v128, weight: v128, low: v128, high: v128): v128 {
  const a = f64x2.add(f64x2.promote_low_f32x4(sum), f64x2.mul(weight, low));
  const b = f64x2.add(f64x2.promote_low_f32x4(i32x4.shuffle(sum, sum, 2, 3, 0, 1)), f64x2.mul(weight, high));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

/** The upper two of four 32-bit lanes, moved down (for the *_low conversions). */
// @ts-ignore: decorator
@inline
export function upper(v: v128): v128 {
  return i32x4.shuffle(v, v, 2, 3, 0, 1);
}
