/**
 * The mask cue's quadrilateral: straight sides fitted to the outline of a page mask. Twin of
 * imaging/page/outline.py, whose docstring numbers the steps followed here.
 */
const MIN_PAGE_FRACTION = 0.05;
const REFINE_PASSES = 2;
const SIDE_BAND = 0.03;
const SIDE_BAND_MIN = 2.0;
const SIDE_TRIM = 0.15;
const MIN_SIDE_POINTS = 8;
const EDGE_OFFSET = 0.5;
const AREA_TOLERANCE = 0.12;
const PARALLEL_EPS = 1e-9;

export type Point = [number, number];
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
