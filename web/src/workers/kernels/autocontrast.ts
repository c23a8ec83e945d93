import { simd } from '../simd';
import { makeImage, words, type RgbaImage } from './image';

export interface AutocontrastParams {
  /** Percent of pixels (0..49) cut from each end of every channel's histogram. */
  cutoff: number;
}

export const AUTOCONTRAST_DEFAULTS: AutocontrastParams = { cutoff: 0 };

/** Pillow's ImageOps.autocontrast, channel by channel (R, G, B; alpha untouched): a linear stretch
 *  of the [lo, hi] histogram span to [0, 255] after cutting `cutoff`% of pixels from both ends.
 *  Twin of imaging/ops/autocontrast.py. */
export function autocontrast(src: RgbaImage, params: Partial<AutocontrastParams> = {}): RgbaImage {
  const { cutoff } = { ...AUTOCONTRAST_DEFAULTS, ...params };
  const n = src.width * src.height;
  const wasm = simd();
  if (wasm) {
    return wasm.run(src, [2 * 3 * 1024, 3 * 1024], (s, d, hist, luts) => {
      wasm.fn.histograms(s, n, hist);
      wasm.u32(luts, 3 * 256).set(shiftedLuts(wasm.u32(hist, 3 * 256), cutoff, n));
      wasm.fn.applyLuts(s, d, n, luts);
    });
  }
  const s = words(src.data);
  const hist = new Int32Array(3 * 256);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    hist[v & 0xff]++;
    hist[256 + ((v >>> 8) & 0xff)]++;
    hist[512 + ((v >>> 16) & 0xff)]++;
  }
  const luts = shiftedLuts(hist, cutoff, n);
  const out = makeImage(src.width, src.height);
  const d = words(out.data);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    d[i] = (v & 0xff000000) | luts[v & 0xff] | luts[256 + ((v >>> 8) & 0xff)] | luts[512 + ((v >>> 16) & 0xff)];
  }
  return out;
}

/** The three channel tables, each entry already shifted into its byte of the output word, from
 *  the R, G and B histograms laid end to end. */
function shiftedLuts(hist: ArrayLike<number>, cutoff: number, n: number): Int32Array {
  const luts = new Int32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const channel = Float64Array.from({ length: 256 }, (_, i) => hist[c * 256 + i]);
    stretchLut(channel, cutoff, n).forEach((v, i) => (luts[c * 256 + i] = v << (8 * c)));
  }
  return luts;
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
