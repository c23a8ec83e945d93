// BT.601 luma exactly as OpenCV 5's cvtColor(RGB2GRAY) computes it for 8 bits (15 fractional bits,
// rounded), on four RGBA pixels at once. Shared by grayscale and binarize.

/** The luma of the four pixels in `v` (R in each lane's low byte), as four 32-bit lanes. */
// @ts-ignore: decorator
@inline
export function luma4(v: v128): v128 {
  const byte = i32x4.splat(0xff);
  const r = v128.and(v, byte);
  const g = v128.and(i32x4.shr_u(v, 8), byte);
  const b = v128.and(i32x4.shr_u(v, 16), byte);
  const sum = i32x4.add(
    i32x4.add(i32x4.mul(r, i32x4.splat(9798)), i32x4.mul(g, i32x4.splat(19235))),
    i32x4.add(i32x4.mul(b, i32x4.splat(3735)), i32x4.splat(16384)),
  );
  return i32x4.shr_u(sum, 15);
}
