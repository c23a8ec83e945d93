/**
 * The page mask both ops agree on: the found quad, its edges refined by the region cue. Twin of
 * imaging/page/mask.py steps 1–2 (steps 3–5, the soft mask, are in background_removal.ts).
 */
import type { Point } from './quads';
import type { WorkingMask } from './region';

const EDGE_BAND = 3.0;

export function quadMask(quad: Point[], region: WorkingMask): WorkingMask {
  const { w, h } = region;
  const sides = [0, 1, 2, 3].map((k) => {
    const a = quad[k], b = quad[(k + 1) % 4];
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const length = Math.hypot(dx, dy);
    return { a, nx: -dy / length, ny: dx / length, ok: length !== 0 };
  });
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let d = Infinity;
      for (const s of sides) if (s.ok) d = Math.min(d, (x - s.a[0]) * s.nx + (y - s.a[1]) * s.ny);
      const i = y * w + x;
      mask[i] = d > EDGE_BAND || (d >= -EDGE_BAND && region.mask[i]) ? 1 : 0;
    }
  }
  return { ...region, mask };
}
