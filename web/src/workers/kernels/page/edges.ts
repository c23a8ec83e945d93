/**
 * Oriented edge pixels of the working image. Twin of imaging/page/edges.py, whose docstring
 * numbers the steps; integer arithmetic up to the angle, so both engines keep the same pixels.
 */
export const MIN_STEP = 3;
export const STEP_RESPONSE = 640;
export const STEP_REACH = 4;
export const STEP_RATIO = 5;

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

/** Step 1: the 5×5 binomial sum (256 × the blurred value) of interleaved RGB means, border
 *  replicated: rows, then columns, on a copy padded by 2 so the loops need no clamping. */
export function blurred(means: ArrayLike<number>, w: number, h: number): Int32Array {
  const pw = w + 4;
  const padded = new Int32Array(pw * 3);
  const rows = new Int32Array((h + 4) * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = -2; x < w + 2; x++) {
      const src = (y * w + Math.min(w - 1, Math.max(0, x))) * 3;
      const dst = (x + 2) * 3;
      padded[dst] = means[src];
      padded[dst + 1] = means[src + 1];
      padded[dst + 2] = means[src + 2];
    }
    const out = (y + 2) * w * 3;
    for (let i = 0; i < w * 3; i++) {
      rows[out + i] = padded[i] + 4 * padded[i + 3] + 6 * padded[i + 6] + 4 * padded[i + 9] + padded[i + 12];
    }
  }
  const row = w * 3;
  rows.copyWithin(0, 2 * row, 3 * row);
  rows.copyWithin(row, 2 * row, 3 * row);
  rows.copyWithin((h + 2) * row, (h + 1) * row, (h + 2) * row);
  rows.copyWithin((h + 3) * row, (h + 1) * row, (h + 2) * row);
  const out = new Int32Array(h * row);
  for (let y = 0; y < h; y++) {
    const o = y * row;
    for (let i = 0; i < row; i++) {
      const p = o + i;
      out[p] = rows[p] + 4 * rows[p + row] + 6 * rows[p + 2 * row] + 4 * rows[p + 3 * row] + rows[p + 4 * row];
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
  // Step 2 with the border replicated: the neighbours' row and column indices, clamped once.
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w * 3;
    const mid = y * w * 3;
    const down = Math.min(h - 1, y + 1) * w * 3;
    for (let x = 0; x < w; x++) {
      const l = Math.max(0, x - 1) * 3;
      const c0 = x * 3;
      const r = Math.min(w - 1, x + 1) * 3;
      const i = y * w + x;
      let best = -1;
      for (let c = 0; c < 3; c++) {
        const ul = planes[up + l + c], uc = planes[up + c0 + c], ur = planes[up + r + c];
        const ml = planes[mid + l + c], mr = planes[mid + r + c];
        const dl = planes[down + l + c], dc = planes[down + c0 + c], dr = planes[down + r + c];
        const gx = ur - ul + 2 * (mr - ml) + (dr - dl);
        const gy = dl - ul + 2 * (dc - uc) + (dr - ur);
        const m2 = gx * gx + gy * gy;
        if (m2 > best) {
          best = m2;
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
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m2 = m2s[i];
      if (m2 < floor) continue;
      const gx = gxs[i], gy = gys[i];
      const ax = Math.abs(gx), ay = Math.abs(gy);
      const dx = ax * 1000 <= ay * 414 ? 0 : Math.sign(gx);
      const dy = ay * 1000 <= ax * 414 ? 0 : Math.sign(gy);
      if (!(m2 >= m2At(x - dx, y - dy) && m2 > m2At(x + dx, y + dy))) continue;
      const c = chan[i];
      const fx = Math.min(w - 1, Math.max(0, x + STEP_REACH * dx)), fy = Math.min(h - 1, Math.max(0, y + STEP_REACH * dy));
      const bx = Math.min(w - 1, Math.max(0, x - STEP_REACH * dx)), by = Math.min(h - 1, Math.max(0, y - STEP_REACH * dy));
      const diff = planes[(fy * w + fx) * 3 + c] - planes[(by * w + bx) * 3 + c];
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
