/**
 * crop_document: the page found by kernels/page warped to an upright rectangle. Twin of
 * imaging/ops/crop_document.py.
 */
import { type Shape, type SimdStep, twoForms } from '../simd';
import { makeImage, roundHalfEven, type RgbaImage } from './image';
import { findPage, findPageSimd, noteReport } from './page/finder';

type Point = [number, number];

/** The page's corners (TL, TR, BR, BL) in image coordinates, as float32 like the Python twin. */
export function findPageQuad(src: RgbaImage): Point[] | null {
  return findPage(src).quad;
}

export function outputSize(q: Point[]): [number, number] {
  const dist = (a: Point, b: Point) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  const [tl, tr, br, bl] = q;
  const width = Math.max(dist(tl, tr), dist(bl, br));
  const height = Math.max(dist(tl, bl), dist(tr, br));
  return [Math.max(1, roundHalfEven(width)), Math.max(1, roundHalfEven(height))];
}

/** The 3×3 homography taking `from[i]` to `to[i]` (as cv2.getPerspectiveTransform), h33 = 1. */
export function perspectiveTransform(from: Point[], to: Point[]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    a.push([x, y, 1, 0, 0, 0, -x * u, -y * u, u]);
    a.push([0, 0, 0, x, y, 1, -x * v, -y * v, v]);
  }
  // Gaussian elimination with partial pivoting on the 8×9 augmented matrix.
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k < 9; k++) a[r][k] -= f * a[c][k];
    }
  }
  return [...a.map((row, i) => row[8] / a[i][i]), 1];
}

/** Warp the quad onto an upright w×h rectangle: bilinear, border replicated, all four channels. */
export function warpQuad(src: RgbaImage, quad: Point[]): RgbaImage {
  const [w, h] = outputSize(quad);
  const m = backwardMap(quad, w, h);
  const out = makeImage(w, h);
  const s = src.data;
  const d = out.data;
  const sw = src.width;
  const sh = src.height;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const z = m[6] * x + m[7] * y + m[8];
      const fx = (m[0] * x + m[1] * y + m[2]) / z;
      const fy = (m[3] * x + m[4] * y + m[5]) / z;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      const xa = Math.min(sw - 1, Math.max(0, x0));
      const xb = Math.min(sw - 1, Math.max(0, x0 + 1));
      const ya = Math.min(sh - 1, Math.max(0, y0)) * sw;
      const yb = Math.min(sh - 1, Math.max(0, y0 + 1)) * sw;
      const o = (y * w + x) * 4;
      for (let c = 0; c < 4; c++) {
        const top = s[(ya + xa) * 4 + c] * (1 - ax) + s[(ya + xb) * 4 + c] * ax;
        const bottom = s[(yb + xa) * 4 + c] * (1 - ax) + s[(yb + xb) * 4 + c] * ax;
        d[o + c] = top * (1 - ay) + bottom * ay;
      }
    }
  }
  return out;
}

/** Map each output pixel back into the source: the homography from the w×h rectangle to quad. */
function backwardMap(quad: Point[], w: number, h: number): number[] {
  const target: Point[] = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]];
  return perspectiveTransform(target, quad);
}

/** The page, perspective-corrected; the image unchanged (a copy) when no page is found. */
export const cropDocument = twoForms(() => cropDocumentSimd, cropDocumentTs);

function cropDocumentTs(src: RgbaImage): RgbaImage {
  const { quad } = noteReport(findPage(src));
  if (!quad) return makeImage(src.width, src.height, src.data.slice());
  return warpQuad(src, quad);
}

/** The same with the mask's pass over every pixel and the warp in WebAssembly
 *  (web/assembly/background_removal.ts and crop_document.ts); the page is found while planning
 *  the output, since the output is the page. */
export const cropDocumentSimd: SimdStep<Record<string, unknown>, Shape & { quad: Point[] | null }> = {
  plan: (segment, src) => {
    const { quad } = noteReport(findPageSimd(segment, src));
    const [width, height] = quad ? outputSize(quad) : [segment.width, segment.height];
    return { width, height, quad };
  },
  run: (segment, src, dst, _params, { width: w, height: h, quad }) => {
    if (!quad) {
      new Uint8Array(segment.fn.memory.buffer).copyWithin(dst, src, src + segment.pixels * 4);
      return;
    }
    const [m] = segment.put([Float64Array.from(backwardMap(quad, w, h))]);
    segment.fn.warp(src, segment.width, segment.height, dst, w, h, m);
  },
};
