import { opDefaults } from '../../contract';
import { type Shape, type SimdStep, twoForms } from '../simd';
import { checkRange, makeImage, words, type RgbaImage } from './image';

export interface ResizeParams {
  /** The long side after resizing, in pixels. */
  maxSide: number;
}

/** Its defaults, from the contract (the Python params model's). */
export const RESIZE_DEFAULTS = opDefaults('resize') as unknown as ResizeParams;

/** Output size: the long side becomes maxSide, the short side max(1, floor(s·maxSide/long + 0.5)). */
export function targetSize(width: number, height: number, maxSide: number): [number, number] {
  const long = Math.max(width, height);
  const short = (s: number) => Math.max(1, Math.floor((s * maxSide) / long + 0.5));
  return width >= height ? [maxSide, short(height)] : [short(width), maxSide];
}

/** cv2.resize: INTER_AREA when shrinking, INTER_LINEAR when growing. All four channels are
 *  resampled (alpha too, since the geometry changes). Twin of imaging/ops/resize.py. */
export const resize = twoForms(() => resizeSimd, resizeTs);

function resizeTs(src: RgbaImage, params: Partial<ResizeParams>): RgbaImage {
  const { method, dw, dh, fx, fy } = planResize(src.width, src.height, params);
  if (method === 'same') return makeImage(dw, dh, src.data.slice());
  if (method === 'box') return boxShrink(src, dw, dh, fx, fy);
  return separable(src, dw, dh, ...taps(src.width, src.height, dw, dh));
}

interface Plan {
  /** same: nothing to do; box: an integer-factor shrink; taps: the separable resample. */
  method: 'same' | 'box' | 'taps';
  dw: number;
  dh: number;
  fx: number;
  fy: number;
}

function planResize(width: number, height: number, params: Partial<ResizeParams>): Plan {
  const { maxSide } = { ...RESIZE_DEFAULTS, ...params };
  checkRange('resize', 'maxSide', maxSide, 1, 8192, true);
  const [dw, dh] = targetSize(width, height, maxSide);
  const fx = width / dw;
  const fy = height / dh;
  const shrinking = dw * dh < width * height;
  // An integer factor is a plain box average (OpenCV's resizeAreaFast); lane sums must fit 16 bits.
  const box = shrinking && Number.isInteger(fx) && Number.isInteger(fy) && fx * fy <= 257;
  return { method: dw === width && dh === height ? 'same' : box ? 'box' : 'taps', dw, dh, fx, fy };
}

function taps(width: number, height: number, dw: number, dh: number): [Taps, Taps] {
  const shrinking = dw * dh < width * height;
  return shrinking ? [areaTaps(width, dw), areaTaps(height, dh)] : [linearTaps(width, dw), linearTaps(height, dh)];
}

/** The same in WebAssembly SIMD (web/assembly/resize.ts) for the 2×2 box and the separable
 *  resample; other integer factors and "no change" stay with the TypeScript kernel. */
export const resizeSimd: SimdStep<Partial<ResizeParams>, Shape & { method: Plan['method'] }> = {
  covers: (params, width, height) => {
    const { method, fx, fy } = planResize(width, height, params);
    return method === 'taps' || (method === 'box' && fx === 2 && fy === 2);
  },
  plan: (segment, _src, params) => {
    const { method, dw, dh } = planResize(segment.width, segment.height, params);
    return { width: dw, height: dh, method };
  },
  run: (segment, src, dst, _params, { width: dw, height: dh, method }) => {
    const { width, height } = segment;
    if (method === 'box') {
      segment.fn.halve(src, dst, width, dw, dh);
      return;
    }
    const [xs, ys] = taps(width, height, dw, dh);
    const [xStart, xIndex, xWeight, yStart, yIndex, yWeight] = segment.put([xs.start, xs.index, xs.weight, ys.start, ys.index, ys.weight]);
    const [column] = segment.scratch([width * 16]);
    segment.fn.separable(src, dst, width, dw, dh, xStart, xIndex, xWeight, yStart, yIndex, yWeight, column);
  },
};

/** For each output index, the source indices and weights that make it. */
export interface Taps {
  start: Int32Array; // first tap of output i in index/weight
  index: Int32Array;
  weight: Float64Array;
}

function packTaps(lists: Array<Array<[number, number]>>): Taps {
  const total = lists.reduce((n, l) => n + l.length, 0);
  const start = new Int32Array(lists.length + 1);
  const index = new Int32Array(total);
  const weight = new Float64Array(total);
  let k = 0;
  lists.forEach((l, i) => {
    start[i] = k;
    for (const [j, wt] of l) {
      index[k] = j;
      weight[k++] = wt;
    }
  });
  start[lists.length] = k;
  return { start, index, weight };
}

/** OpenCV's computeResizeAreaTab: each output pixel is the source area it covers, with partial
 *  source pixels weighted by their overlap (integer factors reduce to a plain box average). */
export function areaTaps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const lists: Array<Array<[number, number]>> = [];
  for (let dx = 0; dx < dstSize; dx++) {
    const sx1 = dx * scale;
    const sx2 = sx1 + scale;
    const fsx1 = Math.min(Math.ceil(sx1), srcSize);
    const fsx2 = Math.min(Math.floor(sx2), srcSize);
    const cell = Math.min(scale, srcSize - sx1);
    const l: Array<[number, number]> = [];
    if (fsx1 - sx1 > 1e-3) l.push([fsx1 - 1, (fsx1 - sx1) / cell]);
    for (let sx = fsx1; sx < fsx2; sx++) l.push([sx, 1 / cell]);
    if (sx2 - fsx2 > 1e-3 && fsx2 < srcSize) l.push([fsx2, Math.min(Math.min(sx2 - fsx2, 1), cell) / cell]);
    lists.push(l);
  }
  return packTaps(lists);
}

/** OpenCV's INTER_LINEAR coordinates: half-pixel centres, clamped at the edges. */
export function linearTaps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const lists: Array<Array<[number, number]>> = [];
  for (let dx = 0; dx < dstSize; dx++) {
    let f = (dx + 0.5) * scale - 0.5;
    let sx = Math.floor(f);
    f -= sx;
    if (sx < 0) {
      sx = 0;
      f = 0;
    }
    if (sx >= srcSize - 1) {
      sx = srcSize - 1;
      f = 0;
    }
    lists.push(f === 0 ? [[sx, 1]] : [[sx, 1 - f], [sx + 1, f]]);
  }
  return packTaps(lists);
}

/** Integer-factor area shrink on SWAR lanes: (R, B) and (G, A) summed two at a time in one int32
 *  word; every output is the block sum divided by the block area, rounded half up. */
function boxShrink(src: RgbaImage, dw: number, dh: number, fx: number, fy: number): RgbaImage {
  if (fx === 2 && fy === 2) return halve(src, dw, dh);
  const M = 0x00ff00ff;
  const s = words(src.data);
  const sw = src.width;
  const area = fx * fy;
  const half = area >> 1;
  const rb = new Int32Array(dw);
  const ga = new Int32Array(dw);
  const out = makeImage(dw, dh);
  const d = out.data;
  for (let dy = 0; dy < dh; dy++) {
    rb.fill(0);
    ga.fill(0);
    for (let sy = dy * fy; sy < (dy + 1) * fy; sy++) {
      let p = sy * sw;
      for (let dx = 0; dx < dw; dx++) {
        let a = 0;
        let b = 0;
        for (let i = 0; i < fx; i++, p++) {
          const v = s[p];
          a += v & M;
          b += (v >>> 8) & M;
        }
        rb[dx] += a;
        ga[dx] += b;
      }
    }
    let o = dy * dw * 4;
    for (let dx = 0; dx < dw; dx++) {
      const a = rb[dx];
      const b = ga[dx];
      d[o++] = Math.floor(((a & 0xffff) + half) / area);
      d[o++] = Math.floor(((b & 0xffff) + half) / area);
      d[o++] = Math.floor(((a >>> 16) + half) / area);
      d[o++] = Math.floor(((b >>> 16) + half) / area);
    }
  }
  return out;
}

/** The commonest shrink, exactly 2×2 → 1, unrolled: four words in, one word out. */
function halve(src: RgbaImage, dw: number, dh: number): RgbaImage {
  const M = 0x00ff00ff;
  const s = words(src.data);
  const sw = src.width;
  const out = makeImage(dw, dh);
  const d = words(out.data);
  for (let dy = 0; dy < dh; dy++) {
    let p0 = 2 * dy * sw;
    let p1 = p0 + sw;
    let o = dy * dw;
    for (let dx = 0; dx < dw; dx++, p0 += 2, p1 += 2) {
      const a = s[p0], b = s[p0 + 1], c = s[p1], e = s[p1 + 1];
      // Lane sums of four bytes (≤ 1020) plus the rounding 2, then /4: shift and mask per lane.
      const rb = (a & M) + (b & M) + (c & M) + (e & M) + 0x00020002;
      const ga = ((a >>> 8) & M) + ((b >>> 8) & M) + ((c >>> 8) & M) + ((e >>> 8) & M) + 0x00020002;
      d[o++] = ((rb >>> 2) & M) | (((ga >>> 2) & M) << 8);
    }
  }
  return out;
}

/**
 * Vertical pass first, on whole source rows as flat byte runs (a tight multiply-add loop the JIT
 * handles well), into one float row; then the horizontal taps on that single row. Each source
 * row is read once per output row that needs it, and nothing image-sized is allocated.
 */
function separable(src: RgbaImage, dw: number, dh: number, xs: Taps, ys: Taps): RgbaImage {
  const rowLen = src.width * 4;
  const s = src.data;
  const column = new Float32Array(rowLen);
  const out = makeImage(dw, dh);
  const d = out.data; // Uint8ClampedArray: stores round and clamp
  for (let dy = 0; dy < dh; dy++) {
    column.fill(0);
    for (let t = ys.start[dy]; t < ys.start[dy + 1]; t++) {
      const base = ys.index[t] * rowLen;
      const wt = ys.weight[t];
      for (let i = 0; i < rowLen; i++) column[i] += wt * s[base + i];
    }
    let o = dy * dw * 4;
    for (let dx = 0; dx < dw; dx++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let t = xs.start[dx]; t < xs.start[dx + 1]; t++) {
        const p = xs.index[t] * 4;
        const wt = xs.weight[t];
        r += wt * column[p];
        g += wt * column[p + 1];
        b += wt * column[p + 2];
        a += wt * column[p + 3];
      }
      d[o++] = r;
      d[o++] = g;
      d[o++] = b;
      d[o++] = a;
    }
  }
  return out;
}
