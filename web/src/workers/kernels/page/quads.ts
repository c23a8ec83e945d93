/**
 * Quadrilaterals from lines, scored by their drawn outline. Twin of imaging/page/quads.py: the
 * same enumeration order (pairs i < j, then pairs of pairs p < q) and the same arithmetic, so the
 * same candidates come out in the same order.
 */
import type { Line } from './lines';

const MAX_OPPOSITE_DEG = 40.0;
const MIN_CORNER_DEG = 45.0;
const CORNER_MARGIN = 0.02;
const MIN_SIDE = 0.08;
const GAP_COST = 1.5;
const MIN_COVER = 0.3;

export type Point = [number, number];

const radians = (deg: number) => deg * (Math.PI / 180.0);

export function lineCandidates(lines: Line[], width: number, height: number, keep: number): Point[][] {
  const k = lines.length;
  if (k < 4) return [];
  const cx = (width - 1) / 2.0;
  const cy = (height - 1) / 2.0;
  const short = Math.min(width, height);
  const pi: number[] = [];
  const pj: number[] = [];
  const maxCross = Math.sin(radians(MAX_OPPOSITE_DEG));
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const a = lines[i], b = lines[j];
      const cross = Math.abs(a.nx * b.ny - a.ny * b.nx);
      const di = a.nx * cx + a.ny * cy - a.rho;
      const dj = b.nx * cx + b.ny * cy - b.rho;
      const same = a.nx * b.nx + a.ny * b.ny > 0;
      const separation = same ? Math.abs(di - dj) : Math.abs(di + dj);
      if (cross <= maxCross && separation >= MIN_SIDE * short) {
        pi.push(i);
        pj.push(j);
      }
    }
  }
  const minDet = Math.sin(radians(MIN_CORNER_DEG));
  const margin = CORNER_MARGIN * Math.max(width, height);
  const scored: { score: number; index: number; corners: Point[] }[] = [];
  let index = 0;
  for (let p = 0; p < pi.length; p++) {
    for (let q = p + 1; q < pi.length; q++) {
      const a = pi[p], c = pj[p], b = pi[q], d = pj[q];
      if (a === b || a === d || c === b || c === d) continue;
      const order = [a, b, c, d];
      const here = index++;
      const corners: Point[] = [];
      let valid = true;
      for (let m = 0; m < 4 && valid; m++) {
        const s = lines[order[m]], t = lines[order[(m + 1) % 4]];
        const det = s.nx * t.ny - s.ny * t.nx;
        if (Math.abs(det) < minDet) {
          valid = false;
          break;
        }
        const x = (s.rho * t.ny - t.rho * s.ny) / det;
        const y = (s.nx * t.rho - t.nx * s.rho) / det;
        if (!Number.isFinite(x) || !(x >= -margin && x <= width - 1 + margin && y >= -margin && y <= height - 1 + margin)) valid = false;
        corners.push([x, y]);
      }
      if (!valid) continue;
      let positive = 0, negative = 0;
      for (let m = 0; m < 4; m++) {
        const [x0, y0] = corners[m], [x1, y1] = corners[(m + 1) % 4], [x2, y2] = corners[(m + 2) % 4];
        const turn = (x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1);
        if (turn > 0) positive++;
        else if (turn < 0) negative++;
      }
      if (positive !== 4 && negative !== 4) continue;
      let totalS = 0, totalL = 0;
      let alive = true;
      for (let m = 0; m < 4; m++) {
        const line = lines[order[m]];
        const [x0, y0] = corners[(m + 3) % 4];
        const [x1, y1] = corners[m];
        const t0 = -line.ny * x0 + line.nx * y0;
        const t1 = -line.ny * x1 + line.nx * y1;
        const lo = Math.min(t0, t1), hi = Math.max(t0, t1);
        const n = line.prefix.length - 1;
        const ca = Math.min(Math.max(Math.floor(lo) + line.offset, 0), n);
        const cb = Math.min(Math.max(Math.floor(hi) + line.offset, 0), n);
        const s = line.prefix[cb] - line.prefix[ca];
        const length = hi - lo;
        if (!(length >= MIN_SIDE * short)) alive = false;
        if (!(s / Math.max(length, 1.0) >= MIN_COVER)) alive = false;
        totalS = totalS + s;
        totalL = totalL + length;
      }
      if (!alive) continue;
      scored.push({ score: totalS - GAP_COST * (totalL - totalS), index: here, corners });
    }
  }
  scored.sort((u, v) => v.score - u.score || u.index - v.index);
  return scored.slice(0, keep).map((s) => s.corners);
}
