import { luma, makeImage, replicate, words, type RgbaImage } from './image';

export interface BinarizeParams {
  method: 'otsu' | 'adaptive';
  /** Odd neighbourhood size for the adaptive mean, >= 3. */
  blockSize: number;
  /** Constant subtracted from the mean (adaptive only). */
  C: number;
}

export const BINARIZE_DEFAULTS: BinarizeParams = { method: 'otsu', blockSize: 31, C: 10 };

/** Luma (cv2.cvtColor RGB2GRAY), then Otsu's global threshold or OpenCV's adaptive mean
 *  threshold; black/white on all three channels, alpha kept. Twin of imaging/ops/binarize.py. */
export function binarize(src: RgbaImage, params: Partial<BinarizeParams> = {}): RgbaImage {
  const p = { ...BINARIZE_DEFAULTS, ...params };
  const gray = grayPlane(src);
  const white = p.method === 'adaptive'
    ? adaptiveMask(gray, src.width, src.height, p.blockSize, p.C)
    : otsuMask(gray);
  const s = words(src.data);
  const out = makeImage(src.width, src.height);
  const d = words(out.data);
  for (let i = 0; i < s.length; i++) d[i] = (s[i] & 0xff000000) | (white[i] ? 0xffffff : 0);
  return out;
}

export function grayPlane(src: RgbaImage): Uint8Array {
  const s = words(src.data);
  const g = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    g[i] = luma(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
  }
  return g;
}

/** OpenCV's getThreshVal_Otsu_8u: the level maximising between-class variance (first maximum). */
export function otsuThreshold(gray: Uint8Array): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < gray.length; i++) hist[gray[i]]++;
  const scale = 1 / gray.length;
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

function otsuMask(gray: Uint8Array): Uint8Array {
  const t = otsuThreshold(gray);
  const white = new Uint8Array(gray.length);
  for (let i = 0; i < gray.length; i++) white[i] = gray[i] > t ? 1 : 0;
  return white;
}

/** cv2.adaptiveThreshold(MEAN_C, THRESH_BINARY): the block mean (BORDER_REPLICATE, rounded to
 *  8 bits as boxFilter does), white where src − mean > −ceil(C). */
export function adaptiveMask(gray: Uint8Array, w: number, h: number, blockSize: number, C: number): Uint8Array {
  if (!Number.isInteger(blockSize) || blockSize < 3 || blockSize % 2 === 0) {
    throw new RangeError(`binarize blockSize must be odd and >= 3, got ${blockSize}`);
  }
  const r = blockSize >> 1;
  const area = blockSize * blockSize;
  // Column sums first (a running window down each column), then a running window along rows.
  const colSum = new Int32Array(w * h);
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let t = -r; t <= r; t++) acc += gray[replicate(t, h) * w + x];
    for (let y = 0; y < h; y++) {
      colSum[y * w + x] = acc;
      acc += gray[replicate(y + r + 1, h) * w + x] - gray[replicate(y - r, h) * w + x];
    }
  }
  const idelta = Math.ceil(C);
  const white = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let acc = 0;
    for (let t = -r; t <= r; t++) acc += colSum[o + replicate(t, w)];
    for (let x = 0; x < w; x++) {
      // area is odd, so acc/area is never exactly .5 away: plain rounding equals cvRound here.
      const mean = Math.round(acc / area);
      white[o + x] = gray[o + x] - mean > -idelta ? 1 : 0;
      acc += colSum[o + replicate(x + r + 1, w)] - colSum[o + replicate(x - r, w)];
    }
  }
  return white;
}
