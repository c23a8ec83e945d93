import { luma4 } from './luma';

/** Twin of kernels/grayscale.ts: luma written to R, G and B, alpha kept; `pixels` rounded up to 4. */
export function grayscale(src: usize, dst: usize, pixels: i32): void {
  const alpha = i32x4.splat(0xff000000);
  const spread = i32x4.splat(0x010101);
  const end = src + (<usize>pixels << 2);
  for (let s = src, d = dst; s < end; s += 16, d += 16) {
    const v = v128.load(s);
    v128.store(d, v128.or(v128.and(v, alpha), i32x4.mul(luma4(v), spread)));
  }
}
