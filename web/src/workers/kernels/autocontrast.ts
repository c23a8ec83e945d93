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
  const s = words(src.data);
  const hist = [new Int32Array(256), new Int32Array(256), new Int32Array(256)];
  const [hr, hg, hb] = hist;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    hr[v & 0xff]++;
    hg[(v >>> 8) & 0xff]++;
    hb[(v >>> 16) & 0xff]++;
  }
  // Tables already shifted into their byte of the output word: one OR per channel per pixel.
  const [lr, lg, lb] = hist.map((h, c) => Int32Array.from(stretchLut(Float64Array.from(h), cutoff, s.length), (v) => v << (8 * c)));
  const out = makeImage(src.width, src.height);
  const d = words(out.data);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    d[i] = (v & 0xff000000) | lr[v & 0xff] | lg[(v >>> 8) & 0xff] | lb[(v >>> 16) & 0xff];
  }
  return out;
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
