/**
 * What a page looks like along its outline: edge support and contrast across each side. Twin of
 * imaging/page/evidence.py (sampling rules in its docstring).
 */
import { directionBin, N_THETA } from './lines';
import type { Point } from './quads';

const SUPPORT_REACH = 2;
const SUPPORT_BINS = 8;
const CONTRAST_REACH = 4;
const CONTRAST_MIN = 8;
const BLUR_SCALE = 256;

/** Per side (TL→TR, TR→BR, BR→BL, BL→TL): evidence (mean of the two shares) and length.
 *  `direction` holds each edge pixel's direction bin, −1 elsewhere. */
export function outlineEvidence(direction: Int32Array, planes: Int32Array, w: number, h: number, quad: Point[]): { evidence: number[]; lengths: number[] } {
  const evidence = [0, 0, 0, 0];
  const lengths = [0, 0, 0, 0];
  const px = (v: number, size: number) => Math.min(size - 1, Math.max(0, Math.floor(v + 0.5)));
  for (let k = 0; k < 4; k++) {
    const a = quad[k], b = quad[(k + 1) % 4];
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const length = Math.hypot(dx, dy);
    lengths[k] = length;
    const n = Math.floor(length);
    if (n < 1) continue;
    const ux = dx / length, uy = dy / length;
    const vx = -uy, vy = ux;
    const normalBin = directionBin(Math.atan2(ux, -uy));
    let support = 0, across = 0;
    for (let i = 0; i < n; i++) {
      const t = i + 0.5;
      const x = a[0] + t * ux, y = a[1] + t * uy;
      let hit = false;
      for (let o = -SUPPORT_REACH; o <= SUPPORT_REACH && !hit; o++) {
        const d = direction[px(y + o * vy, h) * w + px(x + o * vx, w)];
        if (d < 0) continue;
        let gap = Math.abs(d - normalBin) % N_THETA;
        gap = Math.min(gap, N_THETA - gap);
        hit = gap <= SUPPORT_BINS || gap >= N_THETA / 2 - SUPPORT_BINS;
      }
      if (hit) support++;
      const pin = (px(y + CONTRAST_REACH * vy, h) * w + px(x + CONTRAST_REACH * vx, w)) * 3;
      const pout = (px(y - CONTRAST_REACH * vy, h) * w + px(x - CONTRAST_REACH * vx, w)) * 3;
      let diff = 0;
      for (let c = 0; c < 3; c++) diff = Math.max(diff, Math.abs(planes[pin + c] - planes[pout + c]));
      if (diff >= CONTRAST_MIN * BLUR_SCALE) across++;
    }
    evidence[k] = (support / n + across / n) / 2;
  }
  return { evidence, lengths };
}
