import { opDefaults } from '../../contract';
import { type SimdStep, twoForms } from '../simd';
import { checkRange, makeImage, reflect101, roundHalfEven, type RgbaImage } from './image';

export interface BlurParams {
  /** Odd kernel size, 1..31 (3..31 in the UI). */
  kernelSize: number;
  /** Standard deviation; 0 means OpenCV's rule 0.3·((k−1)·0.5−1)+0.8. */
  sigma: number;
}

/** Its defaults, from the contract (the Python params model's). */
export const BLUR_DEFAULTS = opDefaults('blur') as unknown as BlurParams;

/** OpenCV's small_gaussian_tab: what getGaussianKernel returns for sigma <= 0 and k <= 7. */
const SMALL_GAUSSIAN: Record<number, number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** The Gaussian's standard deviation: `sigma`, or OpenCV's rule for a kernel of size k when 0. */
export function effectiveSigma(k: number, sigma: number): number {
  return sigma > 0 ? sigma : 0.3 * ((k - 1) * 0.5 - 1) + 0.8;
}

/** cv2.getGaussianKernel(k, sigma) in double precision. */
export function gaussianKernel(k: number, sigma: number): number[] {
  if (sigma <= 0 && SMALL_GAUSSIAN[k]) return SMALL_GAUSSIAN[k].slice();
  const s = effectiveSigma(k, sigma);
  const scale2 = -0.5 / (s * s);
  const w = Array.from({ length: k }, (_, i) => Math.exp(scale2 * (i - (k - 1) / 2) ** 2));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/** The kernel in OpenCV's 8-bit fixed point (8 fractional bits), quantised with the same error
 *  diffusion as getGaussianKernelFixedPoint_ED, so the weights sum to exactly 256. */
export function fixedPointKernel(k: number, sigma: number): Int32Array {
  const w = gaussianKernel(k, sigma);
  const out = new Int32Array(k);
  const half = k >> 1;
  let err = 0;
  let sum = 0;
  for (let i = 0; i < half; i++) {
    const adjusted = w[i] * 256 + err;
    const v = roundHalfEven(adjusted);
    err = adjusted - v;
    out[i] = out[k - 1 - i] = v;
    sum += 2 * v;
  }
  out[half] = 256 - sum;
  return out;
}

/**
 * cv2.GaussianBlur(img, (k, k), sigma, borderType=BORDER_REFLECT_101) on RGB, alpha kept.
 * OpenCV's 8-bit path is bit-exact fixed point: weights w/256, a horizontal pass whose sums are
 * exact, a vertical pass, then (acc + 2^15) >> 16. Both passes are exact integer sums, so doing
 * the vertical pass first gives the same bits, and lets it run on packed lanes (see below).
 * The passes are fused row by row, so the intermediate stays in cache instead of a 25 MB plane.
 */
export const blur = twoForms(() => blurSimd, blurTs);

function blurTs(src: RgbaImage, params: Partial<BlurParams>): RgbaImage {
  const { k, kernel, small } = plan(params);
  const { width: w, height: h } = src;
  const r = k >> 1;
  if (small) return blurSmall(src, small, r);
  const s = new Int32Array(src.data.buffer, src.data.byteOffset, w * h);
  const out = makeImage(w, h);
  const d = new Int32Array(out.data.buffer);
  const rows = new RowBuffers(w, r);
  for (let y = 0; y < h; y++) {
    verticalRow(s, w, h, y, kernel, r, rows);
    horizontalRow(rows, s, d, y * w, w, kernel, r);
  }
  return out;
}

/** The same in WebAssembly SIMD (web/assembly/blur.ts), on 16-bit lanes. */
export const blurSimd: SimdStep<Partial<BlurParams>> = {
  run: (segment, src, dst, params) => {
    const { k, kernel, small } = plan(params);
    const [weights, scratch] = segment.scratch([4 * k, segment.fn.blurScratchBytes(segment.width, k)]);
    segment.wasm.i32(weights, k).set(kernel);
    const sum = small ? Math.sqrt(small.s2) : 0;
    segment.fn.blur(src, dst, segment.width, segment.height, weights, k, sum, scratch);
  },
};

function plan(params: Partial<BlurParams>): { k: number; kernel: Int32Array; small: ReturnType<typeof smallIntegerKernel> } {
  const { kernelSize: k, sigma } = { ...BLUR_DEFAULTS, ...params };
  checkRange('blur', 'kernelSize', k, 1, 31, true);
  if (k % 2 === 0) throw new RangeError(`blur kernelSize must be odd, got ${k}`);
  checkRange('blur', 'sigma', sigma, 0, 50);
  const kernel = fixedPointKernel(k, sigma);
  return { k, kernel, small: smallIntegerKernel(kernel) };
}

class RowBuffers {
  readonly rb: Int32Array;
  readonly ga: Int32Array;
  /** R + B·2^24 per pixel, padded: two exact lanes in one double (sums stay below 2^53). */
  readonly prb: Float64Array;
  readonly pg: Int32Array;
  constructor(w: number, r: number) {
    this.rb = new Int32Array(w);
    this.ga = new Int32Array(w);
    this.prb = new Float64Array(w + 2 * r);
    this.pg = new Int32Array(w + 2 * r);
  }
}

/**
 * One row of the vertical pass on SWAR lanes: (R, B) and (G, A) each as two 16-bit lanes of one
 * 32-bit word. A lane sum is at most 255·256 < 2^16, so lanes never carry into each other;
 * Math.imul and |0 keep it int32 (the top lane may set the sign bit; the bits are still right).
 * The kernel is symmetric: mirrored rows are added first (≤ 510 per lane) and multiplied once.
 */
function verticalRow(s: Int32Array, w: number, h: number, y: number, kernel: Int32Array, r: number, rows: RowBuffers): void {
  const M = 0x00ff00ff;
  const { rb, ga } = rows;
  const wc = kernel[r];
  const o = y * w;
  for (let x = 0; x < w; x++) {
    const v = s[o + x];
    rb[x] = Math.imul(wc, v & M);
    ga[x] = Math.imul(wc, (v >>> 8) & M);
  }
  for (let t = 1; t <= r; t++) {
    const wt = kernel[r - t];
    const up = reflect101(y - t, h) * w;
    const dn = reflect101(y + t, h) * w;
    for (let x = 0; x < w; x++) {
      const a = s[up + x];
      const b = s[dn + x];
      rb[x] = (rb[x] + Math.imul(wt, (a & M) + (b & M))) | 0;
      ga[x] = (ga[x] + Math.imul(wt, ((a >>> 8) & M) + ((b >>> 8) & M))) | 0;
    }
  }
}

/** One row of the horizontal pass. R and B ride together in one double (R + B·2^24: a lane
 *  sum is at most 255·256·256 < 2^24, and the total stays far below 2^53, so it is exact), G on
 *  its own; padded by reflect-101; rounded as OpenCV does, (acc + 2^15) >> 16; alpha copied. */
function horizontalRow(rows: RowBuffers, s: Int32Array, d: Int32Array, o: number, w: number, kernel: Int32Array, r: number): void {
  const { rb, ga, prb, pg } = rows;
  const LANE = 16777216; // 2^24
  for (let x = 0; x < w; x++) {
    const v = rb[x];
    prb[x + r] = (v & 0xffff) + (v >>> 16) * LANE;
    pg[x + r] = ga[x] & 0xffff;
  }
  for (let i = 1; i <= r; i++) {
    const left = reflect101(-i, w) + r;
    const right = reflect101(w - 1 + i, w) + r;
    prb[r - i] = prb[left];
    pg[r - i] = pg[left];
    prb[w - 1 + r + i] = prb[right];
    pg[w - 1 + r + i] = pg[right];
  }
  const wc = kernel[r];
  for (let x = 0; x < w; x++) {
    const c = x + r;
    let srb = wc * prb[c];
    let sg = wc * pg[c];
    for (let t = 1; t <= r; t++) {
      const wt = kernel[r - t];
      srb += wt * (prb[c - t] + prb[c + t]);
      sg += wt * (pg[c - t] + pg[c + t]);
    }
    const sb = Math.floor(srb / LANE);
    const sr = srb - sb * LANE;
    d[o + x] = (s[o + x] & 0xff000000) | ((sr + 32768) >>> 16) | (((sg + 32768) >>> 16) << 8) | (((sb + 32768) >>> 16) << 16);
  }
}

/**
 * When the fixed-point weights share a factor g with Σ(w/g) = S ≤ 16 (k = 3 and k = 5 at the
 * default sigma: [1 2 1]·64 and [1 4 6 4 1]·16), both passes fit 16-bit SWAR lanes: a vertical
 * lane sum is ≤ 255·S and a horizontal one ≤ 255·S² ≤ 65280. OpenCV's (Σ g²·a·a·p + 2^15) >> 16
 * is then exactly (Σ a·a·p + S²/2) / S², so the result is still bit-exact.
 */
function smallIntegerKernel(kernel: Int32Array): { a: Int32Array; s2: number } | null {
  let g = 0;
  const gcd = (x: number, y: number): number => (y ? gcd(y, x % y) : x);
  for (const v of kernel) g = gcd(g, v);
  if (g <= 0) return null;
  const a = kernel.map((v) => v / g);
  const sum = a.reduce((x, y) => x + y, 0);
  return sum <= 16 && (sum & (sum - 1)) === 0 ? { a, s2: sum * sum } : null;
}

function blurSmall(src: RgbaImage, kernel: { a: Int32Array; s2: number }, r: number): RgbaImage {
  const M = 0x00ff00ff;
  const { width: w, height: h } = src;
  const { a, s2 } = kernel;
  const shift = Math.log2(s2);
  const half = (s2 >> 1) * 0x00010001;
  const s = new Int32Array(src.data.buffer, src.data.byteOffset, w * h);
  const out = makeImage(w, h);
  const d = new Int32Array(out.data.buffer);
  const prb = new Int32Array(w + 2 * r);
  const pga = new Int32Array(w + 2 * r);
  const ac = a[r];
  for (let y = 0; y < h; y++) {
    const o = y * w;
    // Vertical pass into the padded row (lanes ≤ 255·S).
    for (let x = 0; x < w; x++) {
      const v = s[o + x];
      prb[x + r] = ac * (v & M);
      pga[x + r] = ac * ((v >>> 8) & M);
    }
    for (let t = 1; t <= r; t++) {
      const wt = a[r - t];
      const up = reflect101(y - t, h) * w;
      const dn = reflect101(y + t, h) * w;
      for (let x = 0; x < w; x++) {
        const p = s[up + x];
        const q = s[dn + x];
        prb[x + r] += wt * ((p & M) + (q & M));
        pga[x + r] += wt * (((p >>> 8) & M) + ((q >>> 8) & M));
      }
    }
    for (let i = 1; i <= r; i++) {
      const left = reflect101(-i, w) + r;
      const right = reflect101(w - 1 + i, w) + r;
      prb[r - i] = prb[left];
      pga[r - i] = pga[left];
      prb[w - 1 + r + i] = prb[right];
      pga[w - 1 + r + i] = pga[right];
    }
    // Horizontal pass on the same lanes (≤ 255·S² ≤ 65280), rounded, then unpacked.
    for (let x = 0; x < w; x++) {
      const c = x + r;
      // imul and |0 keep this int32 (the top lane may set the sign bit; the bits stay right).
      let srb = Math.imul(ac, prb[c]);
      let sga = Math.imul(ac, pga[c]);
      for (let t = 1; t <= r; t++) {
        const wt = a[r - t];
        srb = (srb + Math.imul(wt, prb[c - t] + prb[c + t])) | 0;
        sga = (sga + Math.imul(wt, pga[c - t] + pga[c + t])) | 0;
      }
      // Adding S²/2 to both lanes cannot carry (each lane ≤ 65280 + 128); then each lane / S².
      srb = (srb + half) | 0;
      sga = (sga + half) | 0;
      const red = (srb & 0xffff) >>> shift;
      const blue = srb >>> (16 + shift);
      const green = (sga & 0xffff) >>> shift;
      d[o + x] = (s[o + x] & 0xff000000) | red | (green << 8) | (blue << 16);
    }
  }
  return out;
}
