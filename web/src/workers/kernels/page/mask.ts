/**
 * The page mask both ops agree on: the found quad, its edges refined by the region cue. Twin of
 * imaging/page/mask.py steps 1–2 (steps 3–5, the soft mask, are in background_removal.ts).
 */
import type { Point } from './quads';
import type { WorkingMask } from './region';

const EDGE_BAND = 3.0;

export function quadMask(quad: Point[], region: WorkingMask): WorkingMask {
  const { w, h } = region;
  // d = min over the sides of (x − a0)·nx + (y − a1)·ny, each product taken per column and per
  // row once: the same floating-point operations as the Python twin's array expression.
  const across: Float64Array[] = [];
  const down: Float64Array[] = [];
  for (let k = 0; k < 4; k++) {
    const a = quad[k], b = quad[(k + 1) % 4];
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const length = Math.hypot(dx, dy);
    if (length === 0) continue;
    const nx = -dy / length, ny = dx / length;
    across.push(Float64Array.from({ length: w }, (_, x) => (x - a[0]) * nx));
    down.push(Float64Array.from({ length: h }, (_, y) => (y - a[1]) * ny));
  }
  const mask = new Uint8Array(w * h);
  const sides = across.length;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let d = Infinity;
      for (let k = 0; k < sides; k++) d = Math.min(d, across[k][x] + down[k][y]);
      mask[row + x] = d > EDGE_BAND || (d >= -EDGE_BAND && region.mask[row + x]) ? 1 : 0;
    }
  }
  return { ...region, mask };
}
