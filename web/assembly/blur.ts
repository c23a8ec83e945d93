import { reflect101 } from './border';

/**
 * Twin of kernels/blur.ts: cv2.GaussianBlur on RGB with BORDER_REFLECT_101, alpha kept, bit-exact.
 * `kernel` holds the k fixed-point weights (i32, summing to 256); `scratch` needs
 * blurScratchBytes(w, k). The vertical pass runs first (exact u16 sums: at most 255·256), into a
 * row padded by reflection; the horizontal pass sums in u32 and rounds as OpenCV does,
 * (acc + 2^15) >> 16. Both passes are exact, so their order does not change a bit.
 * When the weights are 2^s times small integers whose sum is a power of two ≤ 16 (k = 3 and 5 at
 * the default sigma), `small` is that sum and the horizontal pass stays in u16 (≤ 255·16²).
 */
export function blur(src: usize, dst: usize, w: i32, h: i32, kernel: usize, k: i32, small: i32, scratch: usize): void {
  const r = k >> 1;
  const vectors = (w + 3) & ~3; // pixels per row rounded up to whole vectors
  const weights = scratch; // k splatted i16x8 weights
  const rows = scratch + 512; // k row addresses
  const line = scratch + 512 + 128; // u16 RGBA, r pixels of padding each side
  for (let i = 0; i < k; i++) {
    const v = load<i32>(kernel + (<usize>i << 2));
    // In the small form each weight is divided by their common factor 256 / S.
    v128.store(weights + (<usize>i << 4), i16x8.splat(<i16>(small ? v / (256 / small) : v)));
  }
  const stride = <usize>w << 2;
  for (let y = 0; y < h; y++) {
    for (let t = -r; t <= r; t++) store<usize>(rows + ((t + r) << 2), src + <usize>reflect101(y + t, h) * stride);
    verticalPass(rows, line + (<usize>r << 3), vectors, weights, r);
    padByReflection(line, w, r);
    const out = dst + <usize>y * stride;
    const alpha = src + <usize>y * stride;
    if (small) horizontalSmall(line + (<usize>r << 3), out, alpha, vectors, weights, r, small);
    else horizontalPass(line + (<usize>r << 3), out, alpha, vectors, weights, r);
  }
}

export function blurScratchBytes(w: i32, k: i32): i32 {
  return 512 + 128 + ((((w + 3) & ~3) + 2 * (k >> 1)) << 3) + 32;
}

// @ts-ignore: decorator
@inline
function weight(weights: usize, i: i32): v128 {
  return v128.load(weights + (<usize>i << 4));
}

function verticalPass(rows: usize, line: usize, vectors: i32, weights: usize, r: i32): void {
  const center = load<usize>(rows + (<usize>r << 2));
  const wc = weight(weights, r);
  for (let x = 0; x < vectors; x += 4) {
    const offset = <usize>x << 2;
    const c = v128.load(center + offset);
    let lo = i16x8.mul(i16x8.extend_low_i8x16_u(c), wc);
    let hi = i16x8.mul(i16x8.extend_high_i8x16_u(c), wc);
    for (let t = 1; t <= r; t++) {
      const wt = weight(weights, r - t);
      const a = v128.load(load<usize>(rows + (<usize>(r - t) << 2)) + offset);
      const b = v128.load(load<usize>(rows + (<usize>(r + t) << 2)) + offset);
      // Mirrored rows share a weight: add them first (≤ 510), multiply once.
      lo = i16x8.add(lo, i16x8.mul(i16x8.add(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(b)), wt));
      hi = i16x8.add(hi, i16x8.mul(i16x8.add(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(b)), wt));
    }
    v128.store(line + (<usize>x << 3), lo);
    v128.store(line + (<usize>x << 3) + 16, hi);
  }
}

/** Fill the r pixels left of `line`'s first pixel and right of its last by BORDER_REFLECT_101. */
function padByReflection(line: usize, w: i32, r: i32): void {
  const first = line + (<usize>r << 3);
  for (let i = 1; i <= r; i++) {
    store<u64>(first - (<usize>i << 3), load<u64>(first + (<usize>reflect101(-i, w) << 3)));
    store<u64>(first + (<usize>(w - 1 + i) << 3), load<u64>(first + (<usize>reflect101(w - 1 + i, w) << 3)));
  }
}

/** Four output pixels per step; keeps the source's alpha byte. */
// @ts-ignore: decorator
@inline
function pack(a0: v128, a1: v128, a2: v128, a3: v128, out: usize, alpha: usize): void {
  const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a0, a1), i16x8.narrow_i32x4_u(a2, a3));
  v128.store(out, v128.bitselect(v128.load(alpha), bytes, i32x4.splat(0xff000000)));
}

function horizontalPass(line: usize, out: usize, alpha: usize, vectors: i32, weights: usize, r: i32): void {
  const half = i32x4.splat(32768);
  for (let x = 0; x < vectors; x += 4) {
    const p = line + (<usize>x << 3);
    const wc = weight(weights, r);
    const c0 = v128.load(p);
    const c1 = v128.load(p, 16);
    let a0 = i32x4.extmul_low_i16x8_u(c0, wc);
    let a1 = i32x4.extmul_high_i16x8_u(c0, wc);
    let a2 = i32x4.extmul_low_i16x8_u(c1, wc);
    let a3 = i32x4.extmul_high_i16x8_u(c1, wc);
    for (let t = 1; t <= r; t++) {
      const wt = weight(weights, r - t);
      const left = p - (<usize>t << 3);
      const right = p + (<usize>t << 3);
      const l0 = v128.load(left);
      const l1 = v128.load(left, 16);
      const r0 = v128.load(right);
      const r1 = v128.load(right, 16);
      // Lane sums reach 2·65280, past u16: widen before adding.
      a0 = i32x4.add(a0, i32x4.add(i32x4.extmul_low_i16x8_u(l0, wt), i32x4.extmul_low_i16x8_u(r0, wt)));
      a1 = i32x4.add(a1, i32x4.add(i32x4.extmul_high_i16x8_u(l0, wt), i32x4.extmul_high_i16x8_u(r0, wt)));
      a2 = i32x4.add(a2, i32x4.add(i32x4.extmul_low_i16x8_u(l1, wt), i32x4.extmul_low_i16x8_u(r1, wt)));
      a3 = i32x4.add(a3, i32x4.add(i32x4.extmul_high_i16x8_u(l1, wt), i32x4.extmul_high_i16x8_u(r1, wt)));
    }
    a0 = i32x4.shr_u(i32x4.add(a0, half), 16);
    a1 = i32x4.shr_u(i32x4.add(a1, half), 16);
    a2 = i32x4.shr_u(i32x4.add(a2, half), 16);
    a3 = i32x4.shr_u(i32x4.add(a3, half), 16);
    pack(a0, a1, a2, a3, out + (<usize>x << 2), alpha + (<usize>x << 2));
  }
}

/** The u16 form: OpenCV's (Σ g²·a·a'·p + 2^15) >> 16 equals (Σ a·a'·p + S²/2) >> log2(S²) when the
 *  fixed-point weights are g·a with Σa = S and g·S = 256. */
function horizontalSmall(line: usize, out: usize, alpha: usize, vectors: i32, weights: usize, r: i32, small: i32): void {
  const square = small * small;
  const half = i16x8.splat(<i16>(square >> 1));
  const shift = 31 - clz(square);
  for (let x = 0; x < vectors; x += 4) {
    const p = line + (<usize>x << 3);
    const wc = weight(weights, r);
    let s0 = i16x8.mul(v128.load(p), wc);
    let s1 = i16x8.mul(v128.load(p, 16), wc);
    for (let t = 1; t <= r; t++) {
      const wt = weight(weights, r - t);
      const left = p - (<usize>t << 3);
      const right = p + (<usize>t << 3);
      s0 = i16x8.add(s0, i16x8.mul(i16x8.add(v128.load(left), v128.load(right)), wt));
      s1 = i16x8.add(s1, i16x8.mul(i16x8.add(v128.load(left, 16), v128.load(right, 16)), wt));
    }
    s0 = i16x8.shr_u(i16x8.add(s0, half), shift);
    s1 = i16x8.shr_u(i16x8.add(s1, half), shift);
    const bytes = i8x16.narrow_i16x8_u(s0, s1);
    v128.store(out + (<usize>x << 2), v128.bitselect(v128.load(alpha + (<usize>x << 2)), bytes, i32x4.splat(0xff000000)));
  }
}
