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

/** Scratch reused across calls (a worker runs one op at a time): the per-pixel arrays are
 *  megabytes at 2048 px, and allocating them afresh each time costs more in GC than the work. */
let scratch: { size: number; gxs: Float64Array; gys: Float64Array; m2s: Float64Array; chan: Uint8Array; pad: Int32Array; kept: Int32Array } | null = null;

function buffers(w: number, h: number) {
  const size = (w + 2) * (h + 2);
  if (!scratch || scratch.size < size) {
    scratch = {
      size, gxs: new Float64Array(size), gys: new Float64Array(size), m2s: new Float64Array(size),
      chan: new Uint8Array(size), pad: new Int32Array(size), kept: new Int32Array(size),
    };
  }
  return scratch;
}

/** Steps 2–5 on the blurred planes. The per-pixel arrays are laid out with a one-pixel border
 *  (row length w + 2), so neighbours need no bounds checks: the border's magnitude is 0, as
 *  "outside the image" is in step 3. */
export function findEdges(planes: Int32Array, w: number, h: number): Edges {
  const { gxs, gys, m2s, chan, pad, kept } = buffers(w, h);
  const W = w + 2;
  m2s.fill(-1, 0, W * (h + 2));
  // Step 2 per channel on a copy with a one-pixel replicated border: no clamping in the loop.
  for (let c = 0; c < 3; c++) {
    for (let y = -1; y <= h; y++) {
      const src = Math.min(h - 1, Math.max(0, y)) * w * 3 + c;
      const row = (y + 1) * W;
      pad[row] = planes[src];
      for (let x = 0; x < w; x++) pad[row + x + 1] = planes[src + x * 3];
      pad[row + w + 1] = planes[src + (w - 1) * 3];
    }
    for (let y = 0; y < h; y++) {
      let i = (y + 1) * W + 1;
      for (let x = 0; x < w; x++, i++) {
        const ul = pad[i - W - 1], uc = pad[i - W], ur = pad[i - W + 1];
        const dl = pad[i + W - 1], dc = pad[i + W], dr = pad[i + W + 1];
        const gx = ur - ul + 2 * (pad[i + 1] - pad[i - 1]) + (dr - dl);
        const gy = dl - ul + 2 * (dc - uc) + (dr - ur);
        const m2 = gx * gx + gy * gy;
        if (m2 > m2s[i]) {
          m2s[i] = m2;
          gxs[i] = gx;
          gys[i] = gy;
          chan[i] = c;
        }
      }
    }
  }
  // The border: magnitude 0 (outside the image).
  for (let x = 0; x < W; x++) {
    m2s[x] = 0;
    m2s[(h + 1) * W + x] = 0;
  }
  for (let y = 1; y <= h; y++) {
    m2s[y * W] = 0;
    m2s[y * W + w + 1] = 0;
  }
  const floor = (MIN_STEP * STEP_RESPONSE) ** 2;
  const reach = STEP_REACH;
  const ratio2 = STEP_RATIO * STEP_RATIO;
  let count = 0;
  for (let y = 0; y < h; y++) {
    let i = (y + 1) * W + 1;
    for (let x = 0; x < w; x++, i++) {
      const m2 = m2s[i];
      if (m2 < floor) continue;
      const gx = gxs[i], gy = gys[i];
      const ax = gx < 0 ? -gx : gx, ay = gy < 0 ? -gy : gy;
      const dx = ax * 1000 <= ay * 414 ? 0 : gx > 0 ? 1 : -1;
      const dy = ay * 1000 <= ax * 414 ? 0 : gy > 0 ? 1 : -1;
      const step = dy * W + dx;
      if (!(m2 >= m2s[i - step] && m2 > m2s[i + step])) continue;
      const c = chan[i];
      const fx = Math.min(w - 1, Math.max(0, x + reach * dx)), fy = Math.min(h - 1, Math.max(0, y + reach * dy));
      const bx = Math.min(w - 1, Math.max(0, x - reach * dx)), by = Math.min(h - 1, Math.max(0, y - reach * dy));
      const diff = planes[(fy * w + fx) * 3 + c] - planes[(by * w + bx) * 3 + c];
      if (!(diff > 0 && diff * diff * ratio2 >= m2)) continue;
      kept[count++] = i;
    }
  }
  const e: Edges = {
    count, x: new Int32Array(count), y: new Int32Array(count),
    gx: new Float64Array(count), gy: new Float64Array(count), angle: new Float64Array(count), width: w, height: h,
  };
  for (let k = 0; k < count; k++) {
    const i = kept[k];
    const y = Math.floor(i / W) - 1;
    e.x[k] = i - (y + 1) * W - 1;
    e.y[k] = y;
    e.gx[k] = gxs[i];
    e.gy[k] = gys[i];
    e.angle[k] = Math.atan2(gys[i], gxs[i]);
  }
  return e;
}
