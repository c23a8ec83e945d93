/**
 * Oriented edge pixels of the working image. Twin of imaging/page/edges.py, whose docstring
 * numbers the steps; integer arithmetic up to the angle, so both engines keep the same pixels.
 */
export const MIN_STEP = 3;
export const STEP_RESPONSE = 640;
export const STEP_REACH = 4;
export const STEP_RATIO = 5;
const BINOMIAL = [1, 4, 6, 4, 1];

export interface Edges {
  count: number;
  x: Int32Array;
  y: Int32Array;
  gx: Float64Array;
  gy: Float64Array;
  angle: Float64Array;
  width: number;
  height: number;
}

/** Step 1: the 5×5 binomial sum (256 × the blurred value) of interleaved RGB means, border replicated. */
export function blurred(means: ArrayLike<number>, w: number, h: number): Int32Array {
  const rows = new Int32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < 5; k++) {
          const xx = Math.min(w - 1, Math.max(0, x + k - 2));
          s += BINOMIAL[k] * means[(y * w + xx) * 3 + c];
        }
        rows[(y * w + x) * 3 + c] = s;
      }
    }
  }
  const out = new Int32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < 5; k++) {
          const yy = Math.min(h - 1, Math.max(0, y + k - 2));
          s += BINOMIAL[k] * rows[(yy * w + x) * 3 + c];
        }
        out[(y * w + x) * 3 + c] = s;
      }
    }
  }
  return out;
}

/** Steps 2–5 on the blurred planes. */
export function findEdges(planes: Int32Array, w: number, h: number): Edges {
  const n = w * h;
  const gxs = new Float64Array(n);
  const gys = new Float64Array(n);
  const m2s = new Float64Array(n);
  const chan = new Uint8Array(n);
  const at = (x: number, y: number, c: number) =>
    planes[(Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 3 + c];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let best = -1;
      for (let c = 0; c < 3; c++) {
        const gx = at(x + 1, y - 1, c) - at(x - 1, y - 1, c) + 2 * (at(x + 1, y, c) - at(x - 1, y, c)) + (at(x + 1, y + 1, c) - at(x - 1, y + 1, c));
        const gy = at(x - 1, y + 1, c) - at(x - 1, y - 1, c) + 2 * (at(x, y + 1, c) - at(x, y - 1, c)) + (at(x + 1, y + 1, c) - at(x + 1, y - 1, c));
        const m2 = gx * gx + gy * gy;
        if (m2 > best) {
          best = m2;
          const i = y * w + x;
          gxs[i] = gx;
          gys[i] = gy;
          m2s[i] = m2;
          chan[i] = c;
        }
      }
    }
  }
  const floor = (MIN_STEP * STEP_RESPONSE) ** 2;
  const xs: number[] = [];
  const ys: number[] = [];
  const m2At = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : m2s[y * w + x]);
  const clampX = (x: number) => Math.min(w - 1, Math.max(0, x));
  const clampY = (y: number) => Math.min(h - 1, Math.max(0, y));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m2 = m2s[i];
      if (m2 < floor) continue;
      const [dx, dy] = sectorStep(gxs[i], gys[i]);
      if (!(m2 >= m2At(x - dx, y - dy) && m2 > m2At(x + dx, y + dy))) continue;
      const c = chan[i];
      const diff = planes[(clampY(y + STEP_REACH * dy) * w + clampX(x + STEP_REACH * dx)) * 3 + c] -
        planes[(clampY(y - STEP_REACH * dy) * w + clampX(x - STEP_REACH * dx)) * 3 + c];
      if (!(diff > 0 && diff * diff * STEP_RATIO * STEP_RATIO >= m2)) continue;
      xs.push(x);
      ys.push(y);
    }
  }
  const count = xs.length;
  const e: Edges = {
    count, x: Int32Array.from(xs), y: Int32Array.from(ys),
    gx: new Float64Array(count), gy: new Float64Array(count), angle: new Float64Array(count), width: w, height: h,
  };
  for (let k = 0; k < count; k++) {
    const i = ys[k] * w + xs[k];
    e.gx[k] = gxs[i];
    e.gy[k] = gys[i];
    e.angle[k] = Math.atan2(gys[i], gxs[i]);
  }
  return e;
}

/** Step 3's direction as a unit grid step along the gradient. */
function sectorStep(gx: number, gy: number): [number, number] {
  const ax = Math.abs(gx);
  const ay = Math.abs(gy);
  return [ax * 1000 <= ay * 414 ? 0 : Math.sign(gx), ay * 1000 <= ax * 414 ? 0 : Math.sign(gy)];
}
