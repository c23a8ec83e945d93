import { opDefaults } from '../../contract';
import { type SimdStep, twoForms } from '../simd';
import { checkRange, luma, makeImage, replicate, words, type RgbaImage } from './image';

export interface BinarizeParams {
  method: 'otsu' | 'adaptive';
  /** Odd neighbourhood size for the adaptive mean, >= 3. */
  blockSize: number;
  /** Constant subtracted from the mean (adaptive only). */
  C: number;
}

/** Its defaults, from the contract (the Python params model's). */
export const BINARIZE_DEFAULTS = opDefaults('binarize') as unknown as BinarizeParams;

/** Luma (cv2.cvtColor RGB2GRAY), then Otsu's global threshold or OpenCV's adaptive mean
 *  threshold; black/white on all three channels, alpha kept. Twin of imaging/ops/binarize.py. */
export const binarize = twoForms(() => binarizeSimd, binarizeTs);

function binarizeTs(src: RgbaImage, params: Partial<BinarizeParams>): RgbaImage {
  const p = checked(params);
  const { width: w, height: h } = src;
  const hist = new Int32Array(256);
  const gray = grayPlane(src, hist);
  const s = words(src.data);
  const out = makeImage(w, h);
  const d = words(out.data);
  if (p.method === 'adaptive') {
    adaptiveInto(gray, s, d, w, h, p.blockSize, p.C);
  } else {
    const t = otsuOfHistogram(hist, gray.length);
    for (let i = 0; i < s.length; i++) d[i] = (s[i] & 0xff000000) | (gray[i] > t ? 0xffffff : 0);
  }
  return out;
}

/** The luma plane; fills `hist` with its histogram on the way, when given. */
export function grayPlane(src: RgbaImage, hist?: Int32Array): Uint8Array {
  const s = words(src.data);
  const g = new Uint8Array(s.length);
  const counts = hist ?? new Int32Array(256); // one pass: counting costs less than a second sweep
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    const y = luma(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
    g[i] = y;
    counts[y]++;
  }
  return g;
}

/** OpenCV's getThreshVal_Otsu_8u on a luma plane. */
export function otsuThreshold(gray: Uint8Array): number {
  const hist = new Int32Array(256);
  for (let i = 0; i < gray.length; i++) hist[gray[i]]++;
  return otsuOfHistogram(hist, gray.length);
}

/** OpenCV's getThreshVal_Otsu_8u: the level maximising between-class variance (first maximum). */
function otsuOfHistogram(hist: ArrayLike<number>, total: number): number {
  const scale = 1 / total;
  let mu = 0;
  for (let i = 0; i < 256; i++) mu += i * hist[i];
  mu *= scale;
  let mu1 = 0;
  let q1 = 0;
  let maxSigma = 0;
  let best = 0;
  const eps = 1.1920928955078125e-7; // FLT_EPSILON, as OpenCV uses
  for (let i = 0; i < 256; i++) {
    const pI = hist[i] * scale;
    mu1 *= q1;
    q1 += pI;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < eps || Math.max(q1, q2) > 1 - eps) continue;
    mu1 = (mu1 + i * pI) / q1;
    const mu2 = (mu - q1 * mu1) / q2;
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > maxSigma) {
      maxSigma = sigma;
      best = i;
    }
  }
  return best;
}

/** The same in WebAssembly SIMD (web/assembly/binarize.ts); Otsu's level is found here. */
export const binarizeSimd: SimdStep<Partial<BinarizeParams>> = {
  run: (segment, src, dst, params) => {
    const p = checked(params);
    const { width: w, height: h, pixels: n } = segment;
    const adaptive = p.method === 'adaptive';
    const [gray, hist, more] = segment.scratch([n, 2048, adaptive ? segment.fn.adaptiveScratchBytes(w, p.blockSize) : 0]);
    segment.fn.lumaPlane(src, gray, n, hist);
    if (adaptive) segment.fn.adaptiveThreshold(src, gray, dst, w, h, p.blockSize, Math.ceil(p.C), more);
    else segment.fn.threshold(src, gray, dst, n, otsuOfHistogram(segment.wasm.u32(hist, 256), n));
  },
};

function checked(params: Partial<BinarizeParams>): BinarizeParams {
  const p = { ...BINARIZE_DEFAULTS, ...params };
  if (p.method !== 'adaptive' && p.method !== 'otsu') throw new RangeError(`binarize method must be "otsu" or "adaptive", got ${String(p.method)}`);
  if (p.method === 'adaptive') {
    checkRange('binarize', 'blockSize', p.blockSize, 3, 255, true);
    if (p.blockSize % 2 === 0) throw new RangeError(`binarize blockSize must be odd, got ${p.blockSize}`);
    checkRange('binarize', 'C', p.C, -128, 128);
  }
  return p;
}

/** cv2.adaptiveThreshold(MEAN_C, THRESH_BINARY): the block mean (BORDER_REPLICATE, rounded to
 *  8 bits as boxFilter does), white where src − mean > −ceil(C). Running sums, row-major: a
 *  column-sum row slides down the image and a window slides along it. */
function adaptiveInto(gray: Uint8Array, s: Int32Array, d: Int32Array, w: number, h: number, blockSize: number, C: number): void {
  const r = blockSize >> 1;
  // area is odd, so acc/area is never within 1/(2·area) of .5: rounding acc·(1/area) equals cvRound.
  const inv = 1 / (blockSize * blockSize);
  const idelta = Math.ceil(C);
  const col = new Int32Array(w);
  for (let t = -r; t <= r; t++) {
    const row = replicate(t, h) * w;
    for (let x = 0; x < w; x++) col[x] += gray[row + x];
  }
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let acc = 0;
    for (let t = -r; t <= r; t++) acc += col[replicate(t, w)];
    for (let x = 0; x < w; x++) {
      const mean = Math.round(acc * inv);
      d[o + x] = (s[o + x] & 0xff000000) | (gray[o + x] - mean > -idelta ? 0xffffff : 0);
      acc += col[x + r + 1 < w ? x + r + 1 : w - 1] - col[x - r > 0 ? x - r : 0];
    }
    if (y + 1 < h) {
      const add = replicate(y + r + 1, h) * w;
      const sub = replicate(y - r, h) * w;
      for (let x = 0; x < w; x++) col[x] += gray[add + x] - gray[sub + x];
    }
  }
}
