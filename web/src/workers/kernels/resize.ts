import { makeImage, type RgbaImage } from './image';

export interface ResizeParams {
  /** The long side after resizing, in pixels. */
  maxSide: number;
}

export const RESIZE_DEFAULTS: ResizeParams = { maxSide: 1024 };

/** Output size: the long side becomes maxSide, the short side max(1, floor(s·maxSide/long + 0.5)). */
export function targetSize(width: number, height: number, maxSide: number): [number, number] {
  const long = Math.max(width, height);
  const short = (s: number) => Math.max(1, Math.floor((s * maxSide) / long + 0.5));
  return width >= height ? [maxSide, short(height)] : [short(width), maxSide];
}

/** cv2.resize: INTER_AREA when shrinking, INTER_LINEAR when growing. All four channels are
 *  resampled (alpha too, since the geometry changes). Twin of imaging/ops/resize.py. */
export function resize(src: RgbaImage, params: Partial<ResizeParams> = {}): RgbaImage {
  const { maxSide } = { ...RESIZE_DEFAULTS, ...params };
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new RangeError(`resize maxSide must be a positive integer, got ${maxSide}`);
  const [dw, dh] = targetSize(src.width, src.height, maxSide);
  if (dw === src.width && dh === src.height) return makeImage(dw, dh, src.data.slice());
  const shrinking = dw * dh < src.width * src.height;
  const xs = shrinking ? areaTaps(src.width, dw) : linearTaps(src.width, dw);
  const ys = shrinking ? areaTaps(src.height, dh) : linearTaps(src.height, dh);
  return separable(src, dw, dh, xs, ys);
}

/** For each output index, the source indices and weights that make it. */
interface Taps {
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

function separable(src: RgbaImage, dw: number, dh: number, xs: Taps, ys: Taps): RgbaImage {
  const sw = src.width;
  const s = src.data;
  // Horizontal pass, only over the source rows some output row needs.
  const rowCache = new Map<number, Float64Array>();
  const horizontal = (sy: number): Float64Array => {
    let row = rowCache.get(sy);
    if (row) return row;
    row = new Float64Array(dw * 4);
    const base = sy * sw * 4;
    for (let dx = 0; dx < dw; dx++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let t = xs.start[dx]; t < xs.start[dx + 1]; t++) {
        const p = base + xs.index[t] * 4;
        const wt = xs.weight[t];
        r += wt * s[p];
        g += wt * s[p + 1];
        b += wt * s[p + 2];
        a += wt * s[p + 3];
      }
      row[dx * 4] = r;
      row[dx * 4 + 1] = g;
      row[dx * 4 + 2] = b;
      row[dx * 4 + 3] = a;
    }
    rowCache.set(sy, row);
    return row;
  };
  const out = makeImage(dw, dh);
  const d = out.data; // Uint8ClampedArray rounds and clamps on store
  const acc = new Float64Array(dw * 4);
  let lowestNeeded = 0;
  for (let dy = 0; dy < dh; dy++) {
    acc.fill(0);
    for (let t = ys.start[dy]; t < ys.start[dy + 1]; t++) {
      const row = horizontal(ys.index[t]);
      const wt = ys.weight[t];
      for (let i = 0; i < acc.length; i++) acc[i] += wt * row[i];
    }
    d.set(acc, dy * dw * 4);
    // Rows above the next output row's first tap are never read again: free them.
    const next = dy + 1 < dh ? ys.index[ys.start[dy + 1]] : Infinity;
    for (; lowestNeeded < next && lowestNeeded < src.height; lowestNeeded++) rowCache.delete(lowestNeeded);
  }
  return out;
}
