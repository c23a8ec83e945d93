/**
 * Straight lines from oriented edge pixels. Twin of imaging/page/lines.py (steps in its docstring).
 */
import type { Edges } from './edges';

export const N_THETA = 360;
const FIXED = 1 << 14;
const VOTE_SPREAD = 2;
const MIN_VOTES = 12;
const PEAK_THETA = 3;
const PEAK_RHO = 4;
const MAX_LINES = 40;
const FIT_DISTANCE = 2.0;
const FIT_ANGLE = 4;
const MIN_FIT_PIXELS = 6;
const SUPPORT_DISTANCE = 1.5;

export const STEP = (2.0 * Math.PI) / N_THETA;
const COS = Float64Array.from({ length: N_THETA }, (_, b) => Math.round(Math.cos(b * STEP) * FIXED));
const SIN = Float64Array.from({ length: N_THETA }, (_, b) => Math.round(Math.sin(b * STEP) * FIXED));

export interface Line {
  nx: number;
  ny: number;
  rho: number;
  votes: number;
  prefix: Float64Array;
  offset: number;
}

export function directionBin(angle: number): number {
  return (((Math.floor(angle / STEP + 0.5) % N_THETA) + N_THETA) % N_THETA);
}

function accumulate(e: Edges, bins: Int32Array, diag: number): Int32Array {
  const nRho = 2 * diag + 1;
  const acc = new Int32Array(N_THETA * nRho);
  for (let k = -VOTE_SPREAD; k <= VOTE_SPREAD; k++) {
    for (let i = 0; i < e.count; i++) {
      const b = (((bins[i] + k) % N_THETA) + N_THETA) % N_THETA;
      const rho = Math.floor((e.x[i] * COS[b] + e.y[i] * SIN[b] + FIXED / 2) / FIXED);
      acc[b * nRho + rho + diag]++;
    }
  }
  return acc;
}

function peaks(acc: Int32Array, nRho: number): [number, number, number][] {
  const found: [number, number, number][] = [];
  for (let t = 0; t < N_THETA; t++) {
    for (let r = 0; r < nRho; r++) {
      const v = acc[t * nRho + r];
      if (v < MIN_VOTES) continue;
      let ok = true;
      for (let dt = -PEAK_THETA; dt <= PEAK_THETA && ok; dt++) {
        const tt = (((t + dt) % N_THETA) + N_THETA) % N_THETA;
        for (let dr = -PEAK_RHO; dr <= PEAK_RHO; dr++) {
          if (dt === 0 && dr === 0) continue;
          const rr = r + dr;
          if (rr < 0 || rr >= nRho) continue;
          const o = acc[tt * nRho + rr];
          const earlier = dt < 0 || (dt === 0 && dr < 0);
          if (earlier ? !(v > o) : !(v >= o)) {
            ok = false;
            break;
          }
        }
      }
      if (ok) found.push([v, t, r]);
    }
  }
  found.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  return found.slice(0, MAX_LINES);
}

/** The edge pixels grouped by direction bin (counting sort), to pick those near a direction
 *  without a scan of all of them. */
class ByDirection {
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly starts = new Int32Array(N_THETA + 1);

  constructor(e: Edges, bins: Int32Array) {
    for (let i = 0; i < e.count; i++) this.starts[bins[i] + 1]++;
    for (let b = 0; b < N_THETA; b++) this.starts[b + 1] += this.starts[b];
    const fill = this.starts.slice(0, N_THETA);
    this.x = new Int32Array(e.count);
    this.y = new Int32Array(e.count);
    for (let i = 0; i < e.count; i++) {
      const at = fill[bins[i]]++;
      this.x[at] = e.x[i];
      this.y[at] = e.y[i];
    }
  }

  /** Calls `visit(x, y)` for each pixel whose bin is within FIT_ANGLE of `centre` (wrapping). */
  near(centre: number, visit: (x: number, y: number) => void): void {
    for (let b = centre - FIT_ANGLE; b <= centre + FIT_ANGLE; b++) {
      const bin = ((b % N_THETA) + N_THETA) % N_THETA;
      for (let i = this.starts[bin]; i < this.starts[bin + 1]; i++) visit(this.x[i], this.y[i]);
    }
  }
}

function fitLine(groups: ByDirection, theta: number, rho: number): [number, number, number] {
  const nx = Math.cos(theta * STEP);
  const ny = Math.sin(theta * STEP);
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  groups.near(theta, (x, y) => {
    if (!(Math.abs(x * nx + y * ny - rho) <= FIT_DISTANCE)) return;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  });
  if (n < MIN_FIT_PIXELS) return [nx, ny, rho];
  // Central moments × n², exact integers as in Python (n·Σx² may pass 2^53), rounded once.
  const N = BigInt(n);
  const cxx = N * BigInt(sxx) - BigInt(sx) * BigInt(sx);
  const cyy = N * BigInt(syy) - BigInt(sy) * BigInt(sy);
  const cxy = N * BigInt(sxy) - BigInt(sx) * BigInt(sy);
  const along = 0.5 * Math.atan2(2.0 * Number(cxy), Number(cxx - cyy));
  let fx = -Math.sin(along), fy = Math.cos(along);
  if (fx * nx + fy * ny < 0) {
    fx = -fx;
    fy = -fy;
  }
  return [fx, fy, (fx * sx + fy * sy) / n];
}

function supportPrefix(groups: ByDirection, line: [number, number, number], theta: number, diag: number): Float64Array {
  const [nx, ny, rho] = line;
  const size = 2 * diag + 1;
  const marked = new Uint8Array(size);
  groups.near(theta, (x, y) => {
    if (!(Math.abs(x * nx + y * ny - rho) <= SUPPORT_DISTANCE)) return;
    const t = x * -ny + y * nx;
    marked[Math.min(size - 1, Math.max(0, Math.floor(t) + diag))] = 1;
  });
  const prefix = new Float64Array(size + 1);
  for (let i = 0; i < size; i++) prefix[i + 1] = prefix[i] + marked[i];
  return prefix;
}

export function edgeBins(e: Edges): Int32Array {
  const bins = new Int32Array(e.count);
  for (let i = 0; i < e.count; i++) bins[i] = directionBin(e.angle[i]);
  return bins;
}

export function findLines(e: Edges, bins: Int32Array): Line[] {
  if (e.count === 0) return [];
  const diag = Math.ceil(Math.hypot(e.width, e.height)) + 1;
  const acc = accumulate(e, bins, diag);
  const groups = new ByDirection(e, bins);
  return peaks(acc, 2 * diag + 1).map(([votes, theta, cell]) => {
    const fitted = fitLine(groups, theta, cell - diag);
    const fittedTheta = directionBin(Math.atan2(fitted[1], fitted[0]));
    return { nx: fitted[0], ny: fitted[1], rho: fitted[2], votes, prefix: supportPrefix(groups, fitted, fittedTheta, diag), offset: diag };
  });
}
