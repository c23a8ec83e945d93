/**
 * background_removal: a classical page mask, the background blended toward white, the mask as
 * alpha. Twin of imaging/ops/background_removal.py, whose docstring lists the numbered steps this
 * file follows; the analysis is integer arithmetic, exact in JS doubles (all below 2^53).
 */
import { opDefaults } from '../../contract';
import { type SimdStep, twoForms } from '../simd';
import { checkRange, makeImage, roundHalfEven, type RgbaImage } from './image';
import { findPage, findPageSimd, noteReport, type PageFinding } from './page/finder';
import { quadMask } from './page/mask';
import type { WorkingMask } from './page/region';
import { linearTaps } from './resize';

export interface BackgroundRemovalParams {
  /** How far the background is blended toward white (1 = removed), 0..1. */
  strength: number;
}

/** Its defaults, from the contract (the Python params model's). */
export const BACKGROUND_REMOVAL_DEFAULTS = opDefaults('background_removal') as unknown as BackgroundRemovalParams;

/** Step 9: the 3×3 box feather of the hard mask (border replicated), at working resolution. */
function feather(m: WorkingMask): Float32Array {
  const { w, h } = m;
  const soft = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) sum += m.mask[yy * w + Math.min(w - 1, Math.max(0, x + dx))];
      }
      soft[y * w + x] = sum / 9;
    }
  }
  return soft;
}

/** Steps 9–11: 3×3 box feather (border replicated), bilinear upsampling with half-pixel
 *  centres (the unanalysed last rows/columns repeat the last ones), alpha = round(255·soft). */
export function softMask(m: WorkingMask): Uint8Array {
  const { w, h, factor: f, width, height } = m;
  const soft = feather(m);
  // Separable: each working row upsampled along x once, then two rows blended per output row.
  const W = w * f;
  const xs = linearTaps(w, W);
  const ys = linearTaps(h, h * f);
  const across = new Float32Array(h * W);
  for (let y = 0; y < h; y++) {
    for (let X = 0; X < W; X++) {
      let v = 0;
      for (let t = xs.start[X]; t < xs.start[X + 1]; t++) v += xs.weight[t] * soft[y * w + xs.index[t]];
      across[y * W + X] = v;
    }
  }
  const alpha = new Uint8Array(width * height);
  const row = new Float32Array(W);
  for (let Y = 0; Y < height; Y++) {
    const y = Math.min(Y, h * f - 1);
    row.fill(0);
    for (let t = ys.start[y]; t < ys.start[y + 1]; t++) {
      const base = ys.index[t] * W;
      const wt = ys.weight[t];
      for (let X = 0; X < W; X++) row[X] += wt * across[base + X];
    }
    const o = Y * width;
    for (let X = 0; X < width; X++) {
      const v = row[X < W ? X : W - 1];
      // Flat page or flat background (most pixels) skip the rounding.
      if (v <= 0) alpha[o + X] = 0;
      else if (v >= 1) alpha[o + X] = 255;
      else alpha[o + X] = roundHalfEven(v * 255);
    }
  }
  return alpha;
}

/** The working mask of a finding (the quad refined at its edges), or null when there is no page. */
function pageWorkingMask(f: PageFinding): WorkingMask | null {
  return f.workingQuad ? quadMask(f.workingQuad, f.region) : null;
}

/** The full-resolution alpha of a finding: opaque everywhere when there is no page. */
export function findingAlpha(f: PageFinding): Uint8Array {
  const m = pageWorkingMask(f);
  return m ? softMask(m) : new Uint8Array(f.region.width * f.region.height).fill(255);
}

/** The page mask of an image, as the Python twin's page_mask. */
export function pageMask(src: RgbaImage): Uint8Array {
  return findingAlpha(findPage(src));
}

/** RGBA: the background blended toward white by `strength`, the feathered page mask as alpha. */
export const backgroundRemoval = twoForms(() => backgroundRemovalSimd, backgroundRemovalTs);

function backgroundRemovalTs(src: RgbaImage, params: Partial<BackgroundRemovalParams>): RgbaImage {
  const strength = checkedStrength(params);
  const alpha = findingAlpha(noteReport(findPage(src)));
  const weightOf = liftWeights(strength);
  const lifted = liftTable();
  const out = makeImage(src.width, src.height);
  const s = src.data;
  const d = out.data;
  for (let i = 0, p = 0; i < alpha.length; i++, p += 4) {
    const a = alpha[i];
    const row = weightOf[a];
    d[p] = lifted[row | s[p]];
    d[p + 1] = lifted[row | s[p + 1]];
    d[p + 2] = lifted[row | s[p + 2]];
    d[p + 3] = a;
  }
  return out;
}

function checkedStrength(params: Partial<BackgroundRemovalParams>): number {
  const { strength } = { ...BACKGROUND_REMOVAL_DEFAULTS, ...params };
  checkRange('background_removal', 'strength', strength, 0, 1);
  return strength;
}

/** b = round(strength·(255 − α)) per alpha level, already shifted to its row of liftTable(). */
function liftWeights(strength: number): Int32Array {
  return Int32Array.from({ length: 256 }, (_, a) => (strength > 0 ? roundHalfEven(strength * (255 - a)) : 0) << 8);
}

let lifts: Uint8Array | null = null;

/** rgb + round((255 − rgb)·b / 255), saturated, per (b, rgb) pair: the blend toward white as
 *  one table instead of arithmetic per pixel. Built once. */
function liftTable(): Uint8Array {
  if (!lifts) {
    lifts = new Uint8Array(256 * 256);
    for (let b = 0; b < 256; b++) {
      for (let v = 0; v < 256; v++) lifts[(b << 8) | v] = Math.min(255, v + roundHalfEven(((255 - v) * b) / 255));
    }
  }
  return lifts;
}

/** The same with the full-resolution work in WebAssembly (web/assembly/background_removal.ts):
 *  the analysis at working resolution stays here, reading the frame in place. */
export const backgroundRemovalSimd: SimdStep<Partial<BackgroundRemovalParams>> = {
  run: (segment, src, dst, params) => {
    const strength = checkedStrength(params);
    const mask = pageWorkingMask(noteReport(findPageSimd(segment, src)));
    if (!mask) {
      const [weights, lifted] = segment.put([liftWeights(strength), liftTable()]);
      const [alpha] = segment.scratch([segment.pixels]);
      segment.wasm.bytes(alpha, segment.pixels).fill(255);
      segment.fn.liftBackground(src, alpha, dst, segment.pixels, weights, lifted);
      return;
    }
    const { w, h, factor: f, width, height } = mask;
    const [xs, ys] = [linearTaps(w, w * f), linearTaps(h, h * f)];
    const [soft, xStart, xIndex, xWeight, yStart, yIndex, yWeight, weights, lifted] = segment.put([
      feather(mask), xs.start, xs.index, xs.weight, ys.start, ys.index, ys.weight, liftWeights(strength), liftTable(),
    ]);
    const [across, row, alpha] = segment.scratch([h * w * f * 4, w * f * 4, width * height]);
    segment.fn.upsampleRows(soft, w, h, w * f, xStart, xIndex, xWeight, across);
    segment.fn.softAlpha(across, w * f, h * f, width, height, yStart, yIndex, yWeight, row, alpha);
    segment.fn.liftBackground(src, alpha, dst, segment.pixels, weights, lifted);
  },
};

