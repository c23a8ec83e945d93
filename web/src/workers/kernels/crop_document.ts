/**
 * crop_document: find the page quadrilateral and warp it to an upright rectangle. Twin of
 * imaging/ops/crop_document.py, whose docstring numbers the steps followed here; the page mask is
 * background_removal's working mask.
 */
import { simd, type Shape, type SimdStep } from '../simd';
import { pageMaskSimd, pageMaskWorking, type WorkingMask } from './background_removal';
import { makeImage, type RgbaImage } from './image';

const MIN_PAGE_FRACTION = 0.05;
const REFINE_PASSES = 2;
const SIDE_BAND = 0.03;
const SIDE_BAND_MIN = 2.0;
const SIDE_TRIM = 0.15;
const MIN_SIDE_POINTS = 8;
const EDGE_OFFSET = 0.5;
const AREA_TOLERANCE = 0.12;
const PARALLEL_EPS = 1e-9;

type Point = [number, number];
interface Line {
  p: Point;
  d: Point;
}

/** Step 2: page pixels with a 4-neighbour off the page or outside the image, in raster order. */
export function boundaryPoints(mask: Uint8Array, w: number, h: number): Point[] {
  const points: Point[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      const inner = x > 0 && x < w - 1 && y > 0 && y < h - 1 && mask[i - 1] && mask[i + 1] && mask[i - w] && mask[i + w];
      if (!inner) points.push([x, y]);
    }
  }
  return points;
}

/** Step 3: TL = min(x+y), TR = max(x−y), BR = max(x+y), BL = min(x−y); first in raster order wins. */
export function diagonalCorners(points: Point[]): Point[] {
  let tl = 0, tr = 0, br = 0, bl = 0;
  points.forEach(([x, y], i) => {
    const [tx, ty] = points[tl], [rx, ry] = points[tr], [bx, by] = points[br], [lx, ly] = points[bl];
    if (x + y < tx + ty) tl = i;
    if (x - y > rx - ry) tr = i;
    if (x + y > bx + by) br = i;
    if (x - y < lx - ly) bl = i;
  });
  return [tl, tr, br, bl].map((i) => [...points[i]] as Point);
}

/** Step 4 for one side: total-least-squares line through the middle of the side's points. */
function fitSide(points: Point[], a: Point, b: Point): Line {
  const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (length === 0) return { p: a, d: [1, 0] };
  const d: Point = [(b[0] - a[0]) / length, (b[1] - a[1]) / length];
  const n: Point = [-d[1], d[0]];
  const band = Math.max(SIDE_BAND_MIN, SIDE_BAND * length);
  const chosen: Point[] = [];
  for (const [x, y] of points) {
    const rx = x - a[0];
    const ry = y - a[1];
    const along = (rx * d[0] + ry * d[1]) / length;
    const across = Math.abs(rx * n[0] + ry * n[1]);
    if (across <= band && along >= SIDE_TRIM && along <= 1 - SIDE_TRIM) chosen.push([x, y]);
  }
  if (chosen.length < MIN_SIDE_POINTS) return { p: a, d };
  let cx = 0, cy = 0;
  for (const [x, y] of chosen) {
    cx += x;
    cy += y;
  }
  cx /= chosen.length;
  cy /= chosen.length;
  let sxx = 0, syy = 0, sxy = 0;
  for (const [x, y] of chosen) {
    sxx += (x - cx) * (x - cx);
    syy += (y - cy) * (y - cy);
    sxy += (x - cx) * (y - cy);
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  let dir: Point = [Math.cos(angle), Math.sin(angle)];
  if (dir[0] * d[0] + dir[1] * d[1] < 0) dir = [-dir[0], -dir[1]];
  return { p: [cx, cy], d: dir };
}

function intersect(l1: Line, l2: Line): Point | null {
  const cross = l1.d[0] * l2.d[1] - l1.d[1] * l2.d[0];
  if (Math.abs(cross) < PARALLEL_EPS) return null;
  const t = ((l2.p[0] - l1.p[0]) * l2.d[1] - (l2.p[1] - l1.p[1]) * l2.d[0]) / cross;
  return [l1.p[0] + t * l1.d[0], l1.p[1] + t * l1.d[1]];
}

function cornersFromLines(lines: Line[], previous: Point[]): Point[] {
  return previous.map((c, k) => intersect(lines[(k + 3) % 4], lines[k]) ?? c);
}

function pushOutward(line: Line, centre: Point): Line {
  let n: Point = [-line.d[1], line.d[0]];
  if ((line.p[0] - centre[0]) * n[0] + (line.p[1] - centre[1]) * n[1] < 0) n = [-n[0], -n[1]];
  return { p: [line.p[0] + EDGE_OFFSET * n[0], line.p[1] + EDGE_OFFSET * n[1]], d: line.d };
}

function polygonArea(q: Point[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += q[i][0] * q[(i + 1) % 4][1] - q[i][1] * q[(i + 1) % 4][0];
  return s / 2;
}

function isConvex(q: Point[]): boolean {
  const crosses = q.map((p, i) => {
    const a = q[(i + 1) % 4];
    const b = q[(i + 2) % 4];
    const s: Point = [a[0] - p[0], a[1] - p[1]];
    const t: Point = [b[0] - a[0], b[1] - a[1]];
    return s[0] * t[1] - s[1] * t[0];
  });
  return crosses.every((c) => c > 0) || crosses.every((c) => c < 0);
}

/** Steps 2–6 on a working-resolution page mask: TL, TR, BR, BL in working coordinates. */
export function quadFromMask(mask: Uint8Array, w: number, h: number): Point[] | null {
  let area = 0;
  let mx = 0, my = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    area++;
    mx += i % w;
    my += Math.floor(i / w);
  }
  if (area < MIN_PAGE_FRACTION * mask.length) return null;
  const points = boundaryPoints(mask, w, h);
  let corners = diagonalCorners(points);
  let lines: Line[] = [];
  for (let pass = 0; pass < REFINE_PASSES; pass++) {
    lines = [0, 1, 2, 3].map((k) => fitSide(points, corners[k], corners[(k + 1) % 4]));
    corners = cornersFromLines(lines, corners);
  }
  const centre: Point = [mx / area, my / area];
  lines = lines.map((l) => pushOutward(l, centre));
  corners = cornersFromLines(lines, corners);
  if (!isConvex(corners) || Math.abs(Math.abs(polygonArea(corners)) - area) > AREA_TOLERANCE * area) return null;
  return corners;
}

/** The page's corners (TL, TR, BR, BL) in image coordinates, as float32 like the Python twin. */
export function findPageQuad(src: RgbaImage): Point[] | null {
  return quadOfMask(pageMaskWorking(src));
}

function quadOfMask(m: WorkingMask): Point[] | null {
  const quad = quadFromMask(m.mask, m.w, m.h);
  if (!quad) return null;
  return quad.map(([x, y]) => [Math.fround((x + 0.5) * m.factor - 0.5), Math.fround((y + 0.5) * m.factor - 0.5)]);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
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
export function cropDocument(src: RgbaImage, params: Record<string, unknown> = {}): RgbaImage {
  const wasm = simd();
  if (wasm) return wasm.apply(src, cropDocumentSimd, params);
  const quad = findPageQuad(src);
  if (!quad) return makeImage(src.width, src.height, src.data.slice());
  return warpQuad(src, quad);
}

/** The same with the mask's pass over every pixel and the warp in WebAssembly
 *  (web/assembly/background_removal.ts and crop_document.ts); the page is found while planning
 *  the output, since the output is the page. */
export const cropDocumentSimd: SimdStep<Record<string, unknown>, Shape & { quad: Point[] | null }> = {
  plan: (segment, src) => {
    const quad = quadOfMask(pageMaskSimd(segment, src));
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
