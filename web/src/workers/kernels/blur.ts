import { makeImage, reflect101, words, type RgbaImage } from './image';

export interface BlurParams {
  /** Odd kernel size, 1..31 (3..31 in the UI). */
  kernelSize: number;
  /** Standard deviation; 0 means OpenCV's rule 0.3·((k−1)·0.5−1)+0.8. */
  sigma: number;
}

export const BLUR_DEFAULTS: BlurParams = { kernelSize: 5, sigma: 0 };

/** OpenCV's small_gaussian_tab: what getGaussianKernel returns for sigma <= 0 and k <= 7. */
const SMALL_GAUSSIAN: Record<number, number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** cv2.getGaussianKernel(k, sigma) in double precision. */
export function gaussianKernel(k: number, sigma: number): number[] {
  if (sigma <= 0 && SMALL_GAUSSIAN[k]) return SMALL_GAUSSIAN[k].slice();
  const s = sigma > 0 ? sigma : 0.3 * ((k - 1) * 0.5 - 1) + 0.8;
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

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * cv2.GaussianBlur(img, (k, k), sigma, borderType=BORDER_REFLECT_101) on RGB, alpha kept.
 * OpenCV's 8-bit path is bit-exact fixed point: weights w/256, a horizontal pass whose sums are
 * exact, a vertical pass, then (acc + 2^15) >> 16. Both passes are exact integer sums, so doing
 * the vertical pass first gives the same bits, and lets it run on packed lanes (see below).
 */
export function blur(src: RgbaImage, params: Partial<BlurParams> = {}): RgbaImage {
  const { kernelSize: k, sigma } = { ...BLUR_DEFAULTS, ...params };
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new RangeError(`blur kernelSize must be odd, got ${k}`);
  const { width: w, height: h } = src;
  const kernel = fixedPointKernel(k, sigma);
  const r = k >> 1;
  const s = words(src.data);

  // Vertical pass on SWAR lanes: (R, B) and (G, A) each as two 16-bit lanes of one 32-bit word.
  // Every lane sum is at most 255·256 < 2^16, so lanes never carry into each other.
  const rb = new Uint32Array(w * h);
  const ga = new Uint32Array(w * h);
  const rowOf = Array.from({ length: k }, () => 0);
  for (let y = 0; y < h; y++) {
    for (let t = 0; t < k; t++) rowOf[t] = reflect101(y + t - r, h) * w;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      let accRb = 0;
      let accGa = 0;
      for (let t = 0; t < k; t++) {
        const v = s[rowOf[t] + x];
        const wt = kernel[t];
        accRb += wt * (v & 0x00ff00ff);
        accGa += wt * ((v >>> 8) & 0x00ff00ff);
      }
      rb[o + x] = accRb;
      ga[o + x] = accGa;
    }
  }

  // Horizontal pass per row on a padded copy, unpacking the lanes; alpha is copied, not blurred.
  const out = makeImage(w, h);
  const d = words(out.data);
  const padRb = new Uint32Array(w + 2 * r);
  const padGa = new Uint32Array(w + 2 * r);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = -r; x < w + r; x++) {
      const sx = o + reflect101(x, w);
      padRb[x + r] = rb[sx];
      padGa[x + r] = ga[sx];
    }
    for (let x = 0; x < w; x++) {
      let accR = 0;
      let accB = 0;
      let accG = 0;
      for (let t = 0; t < k; t++) {
        const wt = kernel[t];
        const vrb = padRb[x + t];
        accR += wt * (vrb & 0xffff);
        accB += wt * (vrb >>> 16);
        accG += wt * (padGa[x + t] & 0xffff);
      }
      const red = (accR + 32768) >>> 16;
      const green = (accG + 32768) >>> 16;
      const blue = (accB + 32768) >>> 16;
      d[o + x] = (s[o + x] & 0xff000000) | red | (green << 8) | (blue << 16);
    }
  }
  return out;
}
