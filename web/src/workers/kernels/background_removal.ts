/**
 * background_removal: a classical page mask, the background blended toward white, the mask as
 * alpha. Twin of imaging/ops/background_removal.py, whose docstring lists the numbered steps this
 * file follows; the analysis is integer arithmetic, exact in JS doubles (all below 2^53).
 */
import { simd, type Segment, type SimdStep } from '../simd';
import { checkRange, makeImage, type RgbaImage } from './image';
import { linearTaps } from './resize';

export const WORK_LONG_SIDE = 512;
export const CORNER_PATCH_DIV = 10;
export const CORNER_PERCENTILE = 25;

export interface BackgroundRemovalParams {
  /** How far the background is blended toward white (1 = removed), 0..1. */
  strength: number;
}

export const BACKGROUND_REMOVAL_DEFAULTS: BackgroundRemovalParams = { strength: 1 };

/** The hard page mask at working resolution (1 = page) and the factor back to the image. */
export interface WorkingMask {
  mask: Uint8Array;
  w: number;
  h: number;
  factor: number;
  width: number;
  height: number;
}

/** Step 1: ceil(long side / 512), at least 1, at most the short side. */
export function workingFactor(height: number, width: number): number {
  return Math.max(1, Math.min(Math.ceil(Math.max(height, width) / WORK_LONG_SIDE), height, width));
}

/** Steps 2–3: integer f×f block means (rounded half up), score = min(R, G, B). */
export function pageScore(src: RgbaImage, f: number): { score: Uint8Array; w: number; h: number } {
  const w = Math.floor(src.width / f);
  const h = Math.floor(src.height / f);
  const n = f * f;
  const half = n >> 1;
  const s = src.data;
  const score = new Uint8Array(w * h);
  const sr = new Int32Array(w);
  const sg = new Int32Array(w);
  const sb = new Int32Array(w);
  for (let y = 0; y < h; y++) {
    sr.fill(0);
    sg.fill(0);
    sb.fill(0);
    for (let dy = 0; dy < f; dy++) {
      let p = (y * f + dy) * src.width * 4;
      for (let x = 0; x < w; x++) {
        let r = 0, g = 0, b = 0;
        for (let dx = 0; dx < f; dx++, p += 4) {
          r += s[p];
          g += s[p + 1];
          b += s[p + 2];
        }
        sr[x] += r;
        sg[x] += g;
        sb[x] += b;
      }
    }
    for (let x = 0; x < w; x++) {
      const r = Math.floor((sr[x] + half) / n);
      const g = Math.floor((sg[x] + half) / n);
      const b = Math.floor((sb[x] + half) / n);
      score[y * w + x] = Math.min(r, g, b);
    }
  }
  return { score, w, h };
}

function patchLevel(score: Uint8Array, w: number, x0: number, y0: number, pw: number, ph: number): number {
  const values = new Uint8Array(pw * ph);
  let k = 0;
  for (let y = y0; y < y0 + ph; y++) for (let x = x0; x < x0 + pw; x++) values[k++] = score[y * w + x];
  values.sort();
  return Math.max(1, values[Math.floor(((values.length - 1) * CORNER_PERCENTILE) / 100)]);
}

/** Step 4: divide by a bilinear background estimate from the four corner patches (integers). */
export function flattenLight(score: Uint8Array, w: number, h: number): Uint8Array {
  const ph = Math.max(1, Math.floor(h / CORNER_PATCH_DIV));
  const pw = Math.max(1, Math.floor(w / CORNER_PATCH_DIV));
  const tl = patchLevel(score, w, 0, 0, pw, ph);
  const tr = patchLevel(score, w, w - pw, 0, pw, ph);
  const bl = patchLevel(score, w, 0, h - ph, pw, ph);
  const br = patchLevel(score, w, w - pw, h - ph, pw, ph);
  const sx = Math.max(2 * (w - pw), 1);
  const sy = Math.max(2 * (h - ph), 1);
  const gain = Math.max(tl, tr, bl, br) * sx * sy;
  const out = new Uint8Array(w * h);
  for (let yy = 0; yy < h; yy++) {
    const y = 2 * yy - (ph - 1);
    for (let xx = 0; xx < w; xx++) {
      const x = 2 * xx - (pw - 1);
      const estimate = Math.max(1, tl * (sx - x) * (sy - y) + tr * x * (sy - y) + bl * (sx - x) * y + br * x * y);
      out[yy * w + xx] = Math.min(255, Math.floor((score[yy * w + xx] * gain) / estimate));
    }
  }
  return out;
}

/** Step 5: Otsu as the Python twin computes it (integer class sums, float score, first maximum). */
export function otsuOfHistogram(hist: ArrayLike<number>): number {
  let n = 0;
  let st = 0;
  for (let i = 0; i < 256; i++) {
    n += hist[i];
    st += i * hist[i];
  }
  let w0 = 0;
  let s0 = 0;
  let best = -1;
  let bestT = 0;
  for (let t = 0; t < 256; t++) {
    w0 += hist[t];
    s0 += t * hist[t];
    const w1 = n - w0;
    if (w0 <= 0 || w1 <= 0) continue;
    const diff = n * s0 - w0 * st;
    const score = (diff * diff) / (w0 * w1);
    if (score > best) {
      best = score;
      bestT = t;
    }
  }
  return bestT;
}

/** Step 6: 3×3 opening; pixels outside the image are ignored (neither erode nor dilate). */
export function open3x3(mask: Uint8Array, w: number, h: number): Uint8Array {
  return morph(morph(mask, w, h, true), w, h, false);
}

/** Erosion (AND) or dilation (OR) of a 0/1 mask over a 3×3 square, separably; neighbours
 *  outside the image are left out, which for AND/OR means "use the pixel itself". */
function morph(src: Uint8Array, w: number, h: number, erode: boolean): Uint8Array {
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const v = src[o + x];
      const l = x > 0 ? src[o + x - 1] : v;
      const r = x < w - 1 ? src[o + x + 1] : v;
      rows[o + x] = erode ? v & l & r : v | l | r;
    }
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const v = rows[i];
    const u = i >= w ? rows[i - w] : v;
    const d = i + w < w * h ? rows[i + w] : v;
    out[i] = erode ? v & u & d : v | u | d;
  }
  return out;
}

/** Step 7: the largest 8-connected component; on a tie, the one met first in raster order. */
export function largestComponent(mask: Uint8Array, w: number, h: number): Uint8Array {
  const label = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  let bestLabel = 0;
  let bestArea = 0;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    next++;
    let area = 0;
    let top = 0;
    stack[top++] = start;
    label[start] = next;
    while (top > 0) {
      const i = stack[--top];
      area++;
      const x = i % w;
      const y = (i - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (mask[j] && !label[j]) {
            label[j] = next;
            stack[top++] = j;
          }
        }
      }
    }
    if (area > bestArea) {
      bestArea = area;
      bestLabel = next;
    }
  }
  const out = new Uint8Array(w * h);
  if (bestLabel) for (let i = 0; i < out.length; i++) out[i] = label[i] === bestLabel ? 1 : 0;
  return out;
}

/** Step 8: background regions (4-connected) that do not reach the border become page. */
export function fillHoles(mask: Uint8Array, w: number, h: number): Uint8Array {
  const outside = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let top = 0;
  const seed = (i: number) => {
    if (!mask[i] && !outside[i]) {
      outside[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  while (top > 0) {
    const i = stack[--top];
    const x = i % w;
    if (x > 0) seed(i - 1);
    if (x < w - 1) seed(i + 1);
    if (i >= w) seed(i - w);
    if (i + w < w * h) seed(i + w);
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}

/** Steps 1–8: the hard page mask at working resolution. */
export function pageMaskWorking(src: RgbaImage): WorkingMask {
  const factor = workingFactor(src.height, src.width);
  const { score, w, h } = pageScore(src, factor);
  return maskFromScore(score, w, h, factor, src.width, src.height);
}

/** Steps 4–8, from the page score of a `width × height` image taken at 1/`factor`. */
export function maskFromScore(score: Uint8Array, w: number, h: number, factor: number, width: number, height: number): WorkingMask {
  const flat = flattenLight(score, w, h);
  const hist = new Float64Array(256);
  for (let i = 0; i < flat.length; i++) hist[flat[i]]++;
  const threshold = otsuOfHistogram(hist);
  const fg = new Uint8Array(w * h);
  for (let i = 0; i < fg.length; i++) fg[i] = flat[i] > threshold ? 1 : 0;
  let page = largestComponent(open3x3(fg, w, h), w, h);
  if (page.some((v) => v)) page = fillHoles(page, w, h);
  return { mask: page, w, h, factor, width, height };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Step 9: the 3×3 box feather of the hard mask (border replicated), at working resolution. */
function feather(m: WorkingMask): Float32Array {
  const { w, h } = m;
  const soft = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) sum += m.mask[yy * w + Math.min(w - 1, Math.max(0, x + dx))];
      }
      soft[y * w + x] = sum / 9;
    }
  }
  return soft;
}

/** Steps 9–11: 3×3 box feather (border replicated), bilinear upsampling with half-pixel
 *  centres (the unanalysed last rows/columns repeat the last ones), alpha = round(255·soft). */
export function softMask(m: WorkingMask): Uint8Array {
  const { w, h, factor: f, width, height } = m;
  const soft = feather(m);
  // Separable: each working row upsampled along x once, then two rows blended per output row.
  const W = w * f;
  const xs = linearTaps(w, W);
  const ys = linearTaps(h, h * f);
  const across = new Float32Array(h * W);
  for (let y = 0; y < h; y++) {
    for (let X = 0; X < W; X++) {
      let v = 0;
      for (let t = xs.start[X]; t < xs.start[X + 1]; t++) v += xs.weight[t] * soft[y * w + xs.index[t]];
      across[y * W + X] = v;
    }
  }
  const alpha = new Uint8Array(width * height);
  const row = new Float32Array(W);
  for (let Y = 0; Y < height; Y++) {
    const y = Math.min(Y, h * f - 1);
    row.fill(0);
    for (let t = ys.start[y]; t < ys.start[y + 1]; t++) {
      const base = ys.index[t] * W;
      const wt = ys.weight[t];
      for (let X = 0; X < W; X++) row[X] += wt * across[base + X];
    }
    const o = Y * width;
    for (let X = 0; X < width; X++) {
      const v = row[X < W ? X : W - 1];
      // Flat page or flat background (most pixels) skip the rounding.
      if (v <= 0) alpha[o + X] = 0;
      else if (v >= 1) alpha[o + X] = 255;
      else alpha[o + X] = roundHalfEven(v * 255);
    }
  }
  return alpha;
}

/** RGBA: the background blended toward white by `strength`, the feathered page mask as alpha. */
export function backgroundRemoval(src: RgbaImage, params: Partial<BackgroundRemovalParams> = {}): RgbaImage {
  const wasm = simd();
  if (wasm) return wasm.apply(src, backgroundRemovalSimd, params);
  const strength = checkedStrength(params);
  const alpha = softMask(pageMaskWorking(src));
  const weightOf = liftWeights(strength);
  const lifted = liftTable();
  const out = makeImage(src.width, src.height);
  const s = src.data;
  const d = out.data;
  for (let i = 0, p = 0; i < alpha.length; i++, p += 4) {
    const a = alpha[i];
    const row = weightOf[a];
    d[p] = lifted[row | s[p]];
    d[p + 1] = lifted[row | s[p + 1]];
    d[p + 2] = lifted[row | s[p + 2]];
    d[p + 3] = a;
  }
  return out;
}

function checkedStrength(params: Partial<BackgroundRemovalParams>): number {
  const { strength } = { ...BACKGROUND_REMOVAL_DEFAULTS, ...params };
  checkRange('background_removal', 'strength', strength, 0, 1);
  return strength;
}

/** b = round(strength·(255 − α)) per alpha level, already shifted to its row of liftTable(). */
function liftWeights(strength: number): Int32Array {
  return Int32Array.from({ length: 256 }, (_, a) => (strength > 0 ? roundHalfEven(strength * (255 - a)) : 0) << 8);
}

let lifts: Uint8Array | null = null;

/** rgb + round((255 − rgb)·b / 255), saturated, per (b, rgb) pair: the blend toward white as
 *  one table instead of arithmetic per pixel. Built once. */
function liftTable(): Uint8Array {
  if (!lifts) {
    lifts = new Uint8Array(256 * 256);
    for (let b = 0; b < 256; b++) {
      for (let v = 0; v < 256; v++) lifts[(b << 8) | v] = Math.min(255, v + roundHalfEven(((255 - v) * b) / 255));
    }
  }
  return lifts;
}

/** The same with the full-resolution work in WebAssembly (web/assembly/background_removal.ts):
 *  the analysis at working resolution stays here, reading the frame in place. */
export const backgroundRemovalSimd: SimdStep<Partial<BackgroundRemovalParams>> = {
  run: (segment, src, dst, params) => {
    const strength = checkedStrength(params);
    const mask = pageMaskSimd(segment, src);
    const { w, h, factor: f, width, height } = mask;
    const [xs, ys] = [linearTaps(w, w * f), linearTaps(h, h * f)];
    const [soft, xStart, xIndex, xWeight, yStart, yIndex, yWeight, weights, lifted] = segment.put([
      feather(mask), xs.start, xs.index, xs.weight, ys.start, ys.index, ys.weight, liftWeights(strength), liftTable(),
    ]);
    const [across, row, alpha] = segment.scratch([h * w * f * 4, w * f * 4, width * height]);
    segment.fn.upsampleRows(soft, w, h, w * f, xStart, xIndex, xWeight, across);
    segment.fn.softAlpha(across, w * f, h * f, width, height, yStart, yIndex, yWeight, row, alpha);
    segment.fn.liftBackground(src, alpha, dst, segment.pixels, weights, lifted);
  },
};

/** Steps 1–8 on a frame in linear memory, the page score (the pass over every pixel) in SIMD. */
export function pageMaskSimd(segment: Segment, src: number): WorkingMask {
  const { width, height } = segment;
  const factor = workingFactor(height, width);
  const { score, w, h } = pageScoreSimd(segment, src, factor);
  return maskFromScore(score, w, h, factor, width, height);
}

/** pageScore on a frame in linear memory (web/assembly/background_removal.ts). */
export function pageScoreSimd(segment: Segment, src: number, f: number): { score: Uint8Array; w: number; h: number } {
  const [w, h] = [Math.floor(segment.width / f), Math.floor(segment.height / f)];
  const [score, sums] = segment.scratch([w * h, w * 16]);
  segment.fn.pageScore(src, segment.width, f, w, h, score, sums);
  return { score: segment.wasm.bytes(score, w * h).slice(), w, h };
}
