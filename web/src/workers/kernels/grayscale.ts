import { type SimdStep, twoForms } from '../simd';
import { luma, makeImage, words, type RgbaImage } from './image';

/** BT.601 luma (0.299 R + 0.587 G + 0.114 B, rounded) written to R, G and B so the next op still
 *  sees three channels; alpha untouched. Twin of imaging/ops/grayscale.py. */
export const grayscale = twoForms(() => grayscaleSimd, grayscaleTs);

function grayscaleTs(src: RgbaImage): RgbaImage {
  const out = makeImage(src.width, src.height);
  const s = words(src.data);
  const d = words(out.data);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    const y = luma(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
    d[i] = (v & 0xff000000) | (y * 0x010101);
  }
  return out;
}

/** The same in WebAssembly SIMD, four pixels at a time (web/assembly/grayscale.ts). */
export const grayscaleSimd: SimdStep<object> = { run: (segment, src, dst) => segment.fn.grayscale(src, dst, segment.pixels) };
