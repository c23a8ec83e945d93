import { opDefaults } from '../../contract';
import { type Segment, type SimdStep, twoForms } from '../simd';
import { checkRange, makeImage, words, type RgbaImage } from './image';

export interface AutocontrastParams {
  /** Percent of pixels (0..49) cut from each end of every channel's histogram. */
  cutoff: number;
}

/** Its defaults, from the contract (the Python params model's). */
export const AUTOCONTRAST_DEFAULTS = opDefaults('autocontrast') as unknown as AutocontrastParams;

/** Pillow's ImageOps.autocontrast, channel by channel (R, G, B; alpha untouched): a linear stretch
 *  of the [lo, hi] histogram span to [0, 255] after cutting `cutoff`% of pixels from both ends.
 *  Twin of imaging/ops/autocontrast.py. */
export const autocontrast = twoForms(() => autocontrastSimd, autocontrastTs);

function autocontrastTs(src: RgbaImage, params: Partial<AutocontrastParams>): RgbaImage {
  const cutoff = checkedCutoff(params);
  const n = src.width * src.height;
  const s = words(src.data);
  const hist = new Int32Array(3 * 256);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    hist[v & 0xff]++;
    hist[256 + ((v >>> 8) & 0xff)]++;
    hist[512 + ((v >>> 16) & 0xff)]++;
  }
  const luts = shifted(stretchLuts(hist, cutoff, n));
  const out = makeImage(src.width, src.height);
  const d = words(out.data);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    d[i] = (v & 0xff000000) | luts[v & 0xff] | luts[256 + ((v >>> 8) & 0xff)] | luts[512 + ((v >>> 16) & 0xff)];
  }
  return out;
}

/** The same in WebAssembly (web/assembly/autocontrast.ts): the tables are built here, then the
 *  lookup pass runs there. With no cutoff a table depends only on the channel's lowest and highest
 *  value, which a SIMD min/max pass finds several times faster than a histogram. */
export const autocontrastSimd: SimdStep<Partial<AutocontrastParams>> = {
  run: (segment, src, dst, params) => {
    const cutoff = checkedCutoff(params);
    const n = segment.pixels;
    const [ranges, luts] = segment.scratch([64, 3 * 1024]);
    let tables: Uint8Array[];
    if (cutoff) {
      const hist = cutoffHistograms(segment, src, Math.floor((n * cutoff) / 100));
      tables = stretchLuts(hist, cutoff, n);
    } else {
      segment.fn.channelRanges(src, n, ranges);
      const [lowR, lowG, lowB, highR, highG, highB] = segment.wasm.u32(ranges, 6);
      tables = [rangeLut(lowR, highR), rangeLut(lowG, highG), rangeLut(lowB, highB)];
    }
    segment.wasm.i32(luts, 3 * 256).set(shifted(tables));
    segment.fn.applyLuts(src, dst, n, luts);
  },
};

/** Every this many pixels one is sampled to guess where each histogram's ends lie (a prime, so
 *  the sample does not line up with rows). */
const SAMPLE_STRIDE = 61;

/**
 * The R, G and B histograms as far as trimming `cut` pixels from each end can look: Pillow's trim
 * stops as soon as it has removed `cut`, so only the bins up to where the count passes `cut` (from
 * either end) decide the table. A sample guesses those bounds; the pass counting only values beyond
 * them then checks, exactly, that more than `cut` pixels lie beyond each bound, and where that fails
 * the full histograms are counted instead. Either way the tables come out the same.
 */
function cutoffHistograms(segment: Segment, src: number, cut: number): Uint32Array {
  const n = segment.pixels;
  const [counts, edges] = segment.scratch([3 * 1024, 16]);
  const bounds = guessTailBounds(segment.wasm.bytes(src, n * 4), n, cut);
  if (bounds) {
    segment.wasm.bytes(edges, 6).set(bounds);
    segment.fn.tailHistograms(src, n, edges, counts);
    const tails = segment.wasm.u32(counts, 3 * 256);
    if (tailsHold(tails, bounds, cut)) return tails;
  }
  const [full] = segment.scratch([4 * 3 * 1024]);
  segment.fn.histograms(src, n, full);
  return segment.wasm.u32(full, 3 * 256);
}

/** Per channel the low and high bound (R, G, B lows, then highs) past which the sample puts a
 *  comfortable margin more than `cut` pixels; null where the sample is too small or the ends meet. */
export function guessTailBounds(rgba: Uint8Array, n: number, cut: number): number[] | null {
  if (cut === 0 || n < 64 * SAMPLE_STRIDE) return null;
  const sample = new Int32Array(3 * 256);
  let taken = 0;
  for (let i = 0; i < n; i += SAMPLE_STRIDE, taken++) {
    for (let c = 0; c < 3; c++) sample[c * 256 + rgba[4 * i + c]]++;
  }
  const wanted = (cut / n) * taken * 1.25 + 32; // sampled pixels beyond each bound
  const bounds = [0, 0, 0, 0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let low = 0;
    for (let sum = sample[c * 256]; sum < wanted && low < 255; ) sum += sample[c * 256 + ++low];
    let high = 255;
    for (let sum = sample[c * 256 + 255]; sum < wanted && high > 0; ) sum += sample[c * 256 + --high];
    if (low >= high) return null;
    [bounds[c], bounds[3 + c]] = [low, high];
  }
  return bounds;
}

/** Whether more than `cut` pixels lie at or below each low bound and at or above each high one. */
function tailsHold(hist: Uint32Array, bounds: number[], cut: number): boolean {
  for (let c = 0; c < 3; c++) {
    let low = 0;
    for (let v = 0; v <= bounds[c]; v++) low += hist[c * 256 + v];
    let high = 0;
    for (let v = bounds[3 + c]; v < 256; v++) high += hist[c * 256 + v];
    if (low <= cut || high <= cut) return false;
  }
  return true;
}

function checkedCutoff(params: Partial<AutocontrastParams>): number {
  const { cutoff } = { ...AUTOCONTRAST_DEFAULTS, ...params };
  checkRange('autocontrast', 'cutoff', cutoff, 0, 50);
  if (cutoff === 50) throw new RangeError('autocontrast cutoff must be below 50, got 50');
  return cutoff;
}

/** The R, G and B tables laid end to end, each entry already shifted into its byte of the output
 *  word, so a pixel is one OR per channel. */
function shifted(tables: Uint8Array[]): Int32Array {
  const luts = new Int32Array(3 * 256);
  tables.forEach((table, c) => table.forEach((v, i) => (luts[c * 256 + i] = v << (8 * c))));
  return luts;
}

/** The R, G and B tables from their histograms laid end to end. */
function stretchLuts(hist: Int32Array | Uint32Array, cutoff: number, n: number): Uint8Array[] {
  return [0, 1, 2].map((c) => stretchLut(Float64Array.from(hist.subarray(c * 256, c * 256 + 256)), cutoff, n));
}

/** The lookup table Pillow builds for one channel; `hist` is consumed. */
export function stretchLut(hist: Float64Array, cutoff: number, n: number): Uint8Array {
  if (cutoff) {
    // Pillow: cut = int(n * cutoff // 100), removed from the low end, then from the high end.
    trim(hist, Math.floor((n * cutoff) / 100), 0, 1);
    trim(hist, Math.floor((n * cutoff) / 100), 255, -1);
  }
  let lo = 0;
  while (lo < 255 && !hist[lo]) lo++;
  let hi = 255;
  while (hi > 0 && !hist[hi]) hi--;
  return rangeLut(lo, hi);
}

/** Pillow's stretch of [lo, hi] to [0, 255]; the identity when the span is empty. */
export function rangeLut(lo: number, hi: number): Uint8Array {
  const lut = new Uint8Array(256);
  if (hi <= lo) {
    for (let i = 0; i < 256; i++) lut[i] = i;
    return lut;
  }
  const scale = 255 / (hi - lo);
  const offset = -lo * scale;
  for (let i = 0; i < 256; i++) {
    const v = Math.trunc(i * scale + offset); // Python int() truncates toward zero
    lut[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return lut;
}

function trim(hist: Float64Array, cut: number, start: number, step: 1 | -1): void {
  // Same loop as Pillow, including its habit of visiting one bin even when cut is 0.
  for (let i = start; i >= 0 && i < 256; i += step) {
    if (cut > hist[i]) {
      cut -= hist[i];
      hist[i] = 0;
    } else {
      hist[i] -= cut;
      cut = 0;
    }
    if (cut <= 0) break;
  }
}
