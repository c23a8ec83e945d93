/**
 * The region cue: a page mask from brightness and colour against the surroundings. Twin of
 * imaging/page/region.py, whose docstring lists the numbered steps this file follows; the
 * analysis is integer arithmetic, exact in JS doubles (all below 2^53).
 */
import type { Segment } from '../../simd';
import type { RgbaImage } from '../image';

export const WORK_LONG_SIDE = 512;
export const CORNER_PATCH_DIV = 10;
export const CORNER_PERCENTILE = 25;

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

/** The working image: block means (interleaved RGB) and the page score min(R, G, B). */
export interface BlockMeans {
  score: Uint8Array;
  means: Uint8Array;
  w: number;
  h: number;
}

/** Steps 2–3: integer f×f block means (rounded half up), score = min(R, G, B). */
export function pageScore(src: RgbaImage, f: number): BlockMeans {
  const w = Math.floor(src.width / f);
  const h = Math.floor(src.height / f);
  const n = f * f;
  const half = n >> 1;
  const s = src.data;
  const score = new Uint8Array(w * h);
  const means = new Uint8Array(w * h * 3);
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
      means.set([r, g, b], (y * w + x) * 3);
    }
  }
  return { score, means, w, h };
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

/** Steps 1–8 on a frame in linear memory, the page score (the pass over every pixel) in SIMD. */
export function pageMaskSimd(segment: Segment, src: number): WorkingMask {
  const { width, height } = segment;
  const factor = workingFactor(height, width);
  const { score, w, h } = pageScoreSimd(segment, src, factor);
  return maskFromScore(score, w, h, factor, width, height);
}

/** pageScore on a frame in linear memory (web/assembly/background_removal.ts). */
export function pageScoreSimd(segment: Segment, src: number, f: number): BlockMeans {
  const [w, h] = [Math.floor(segment.width / f), Math.floor(segment.height / f)];
  const [score, sums, means] = segment.scratch([w * h, w * 16, w * h * 3]);
  segment.fn.pageScore(src, segment.width, f, w, h, score, sums, means);
  return { score: segment.wasm.bytes(score, w * h).slice(), means: segment.wasm.bytes(means, w * h * 3).slice(), w, h };
}
