import { afterEach, describe, expect, it } from 'vitest';
import { autocontrast, guessTailBounds } from '../workers/kernels/autocontrast';
import { binarize } from '../workers/kernels/binarize';
import { backgroundRemoval } from '../workers/kernels/background_removal';
import { pageScore, pageScoreSimd } from '../workers/kernels/page/region';
import { blur } from '../workers/kernels/blur';
import { cropDocument } from '../workers/kernels/crop_document';
import { grayscale } from '../workers/kernels/grayscale';
import { resize } from '../workers/kernels/resize';
import type { RgbaImage } from '../workers/kernels/image';
import { planSteps, runSteps, SIMD_STEPS, type OpName, type PipelineParams } from '../workers/pipeline';
import { simd, useSimd } from '../workers/simd';
import { imageFrom } from './helpers';

/** Odd widths and heights on purpose: the SIMD loops run whole vectors and must not leak the
 *  garbage they compute past the last pixel, nor read the wrong row at a border. */
const SIZES: [number, number][] = [[1, 1], [1, 9], [9, 1], [2, 3], [3, 2], [5, 5], [17, 9], [33, 21], [64, 3], [131, 77], [7, 120], [130, 78], [36, 36]];

/** Noise over a gradient and a dark block, with every alpha value: what a photo of a page has. */
function testImage(width: number, height: number, seed: number): RgbaImage {
  let state = seed * 2654435761 + 1;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    return (state >>> 24) & 0xff;
  };
  return imageFrom(width, height, (x, y) => {
    const ink = x > width / 3 && x < width / 2 && y > height / 4 ? -120 : 0;
    const base = (x * 255) / width / 2 + 60 + ink;
    return [base + (random() >> 2), base + (random() >> 3), base + (random() >> 1), random()];
  });
}

type Op = (img: RgbaImage) => RgbaImage;

const CASES: Record<string, Op> = {
  grayscale: (img) => grayscale(img),
  'background_removal strength 1': (img) => backgroundRemoval(img, { strength: 1 }),
  'background_removal strength 0.37': (img) => backgroundRemoval(img, { strength: 0.37 }),
  crop_document: (img) => cropDocument(img),
  'autocontrast cutoff 0': (img) => autocontrast(img, { cutoff: 0 }),
  'autocontrast cutoff 2': (img) => autocontrast(img, { cutoff: 2 }),
  'autocontrast cutoff 30': (img) => autocontrast(img, { cutoff: 30 }),
  'binarize otsu': (img) => binarize(img, { method: 'otsu' }),
  'binarize adaptive 3, C 0': (img) => binarize(img, { method: 'adaptive', blockSize: 3, C: 0 }),
  'binarize adaptive 31, C 10': (img) => binarize(img, { method: 'adaptive', blockSize: 31, C: 10 }),
  'binarize adaptive 99, C -2.5': (img) => binarize(img, { method: 'adaptive', blockSize: 99, C: -2.5 }),
};
// Relative to the long side: halving (on even sizes), fractional shrinks, upscales, 1 pixel.
for (const [label, side] of [['half', (n: number) => Math.ceil(n / 2)], ['n - 7', (n: number) => Math.max(1, n - 7)], ['n / 3.3', (n: number) => Math.max(1, Math.round(n / 3.3))], ['2n + 3', (n: number) => 2 * n + 3], ['1', () => 1]] as const) {
  CASES[`resize to ${label}`] = (img) => resize(img, { maxSide: side(Math.max(img.width, img.height)) });
}
for (const k of [1, 3, 5, 7, 9, 15, 31]) {
  for (const sigma of [0, 0.8, 3.5]) CASES[`blur k ${k} sigma ${sigma}`] = (img) => blur(img, { kernelSize: k, sigma });
}

function both(op: Op, img: RgbaImage): [RgbaImage, RgbaImage] {
  useSimd(false);
  const scalar = op(img);
  useSimd(true);
  return [op(img), scalar];
}

describe('the WebAssembly SIMD kernels', () => {
  afterEach(() => useSimd(true));

  it('load here (Node has WebAssembly SIMD), so the comparisons below compare two forms', () => {
    expect(simd()).not.toBeNull();
  });

  for (const [name, op] of Object.entries(CASES)) {
    it(`give the same bits as the TypeScript kernel: ${name}`, () => {
      SIZES.forEach(([w, h], i) => {
        const img = testImage(w, h, i + 1);
        const before = img.data.slice();
        const [fast, scalar] = both(op, img);
        expect(fast.width).toBe(scalar.width);
        expect(fast.height).toBe(scalar.height);
        const diff = fast.data.findIndex((v, j) => v !== scalar.data[j]);
        expect(diff, `${w}x${h}: first differing byte`).toBe(-1);
        expect(img.data).toEqual(before); // the input is never written
      });
    });
  }

  const CHAINS: Record<string, PipelineParams> = {
    'all four SIMD ops in one segment': {
      grayscale: true,
      autocontrast: { cutoff: 1 },
      blur: { kernelSize: 7, sigma: 0 },
      binarize: { method: 'adaptive', blockSize: 15, C: 4 },
    },
    'background removal between': { resize: { maxSide: 50 }, background_removal: true, autocontrast: true, blur: true },
    'the TypeScript kernel first (a resize to the same size)': { resize: { maxSide: 131 }, grayscale: true, blur: true },
    'a halving resize, then SIMD ops on the smaller frame': { resize: { maxSide: 65 }, grayscale: true, blur: true },
    'an upscale, then SIMD ops on the bigger frame': { resize: { maxSide: 300 }, autocontrast: true, binarize: true },
  };
  for (const [name, params] of Object.entries(CHAINS)) {
    it(`chain like the TypeScript kernels: ${name}`, () => {
      const img = testImage(131, 77, 5);
      const steps = planSteps('preprocessing', params);
      const [fast, scalar] = both((i) => runSteps(i, steps).image, img);
      expect(fast.width).toBe(scalar.width);
      expect(fast.data.findIndex((v, j) => v !== scalar.data[j])).toBe(-1);
    });
  }

  it('autocontrast with a cutoff: tails-only histograms, and the full ones when the sample misleads', () => {
    const photo = testImage(200, 150, 9);
    // Every other sampled pixel is black and no other: the sample sees far more black than there is.
    const black = (i: number) => i % 61 === 0 && (i / 61) % 2 === 0;
    const misleading = imageFrom(200, 150, (x, y) => (black(y * 200 + x) ? [0, 0, 0, 255] : [100 + (x % 100), 120 + (x % 7), 140 + (y % 50), 255]));
    for (const [img, cutoff] of [[photo, 1], [photo, 5], [misleading, 5], [misleading, 0.2]] as const) {
      const n = img.width * img.height;
      // The sample suggests bounds in both images; only in the second are they wrong.
      expect(guessTailBounds(new Uint8Array(img.data.buffer), n, Math.floor((n * cutoff) / 100))).not.toBeNull();
      const [fast, scalar] = both((i) => autocontrast(i, { cutoff }), img);
      expect(fast.data.findIndex((v, j) => v !== scalar.data[j])).toBe(-1);
    }
  });

  it('score the page like the TypeScript kernel at every block size', () => {
    for (const [w, h] of [[1, 1], [5, 5], [131, 77], [130, 78]]) {
      const img = testImage(w, h, w);
      for (const f of [1, 2, 3, 4, 5].filter((k) => k <= Math.min(w, h))) {
        const fast = simd()!.open(img).read((segment, frame) => pageScoreSimd(segment, frame, f));
        expect(fast).toEqual(pageScore(img, f));
      }
    }
  });

  it('remove the background and crop like the TypeScript kernels on a page bigger than the working size', () => {
    // 1100×700 works at a third of the size, and 1100 % 3 leaves columns past the analysed area.
    const page = imageFrom(1100, 700, (x, y) => {
      const inside = x > 180 + y / 7 && x < 900 - y / 9 && y > 60 && y < 650;
      const ink = inside && y % 40 < 6 && x % 90 < 60 ? -150 : 0;
      const v = (inside ? 225 : 70) + ink + ((x * 7 + y * 13) % 17);
      return [v, v - 5, v - 12, 255];
    });
    for (const strength of [1, 0.5]) {
      const [fast, scalar] = both((i) => backgroundRemoval(i, { strength }), page);
      expect(fast.data.findIndex((v, j) => v !== scalar.data[j])).toBe(-1);
      const alpha = fast.data.filter((_, j) => j % 4 === 3);
      expect(alpha.some((a) => a === 0) && alpha.some((a) => a === 255) && alpha.some((a) => a > 0 && a < 255)).toBe(true);
    }
    const [fast, scalar] = both(cropDocument, page);
    expect([fast.width, fast.height]).toEqual([scalar.width, scalar.height]);
    expect(fast.width).toBeLessThan(page.width); // a page was found and cut out
    expect(fast.data.findIndex((v, j) => v !== scalar.data[j])).toBe(-1);
    // In one segment: the crop changes the frame's size for the ops after it.
    const steps = planSteps('preprocessing', { resize: { maxSide: 900 }, crop_document: true, grayscale: true, blur: true });
    const [chained, reference] = both((i) => runSteps(i, steps).image, page);
    expect([chained.width, chained.height]).toEqual([reference.width, reference.height]);
    expect(chained.data.findIndex((v, j) => v !== reference.data[j])).toBe(-1);
  });

  const REFUSED: [string, Op, RegExp][] = [
    ['blur k 65', (img) => blur(img, { kernelSize: 65 }), /blur kernelSize .*\[1, 31\]/],
    ['blur k 4', (img) => blur(img, { kernelSize: 4 }), /blur kernelSize must be odd/],
    ['background_removal strength 1.5', (img) => backgroundRemoval(img, { strength: 1.5 }), /background_removal strength/],
    ['binarize blockSize 3001', (img) => binarize(img, { method: 'adaptive', blockSize: 3001 }), /binarize blockSize/],
    ['binarize C 3e9', (img) => binarize(img, { method: 'adaptive', C: 3e9 }), /binarize C/],
    ['binarize C NaN', (img) => binarize(img, { method: 'adaptive', C: NaN }), /binarize C/],
    ['autocontrast cutoff 50', (img) => autocontrast(img, { cutoff: 50 }), /autocontrast cutoff/],
    ['resize maxSide 0', (img) => resize(img, { maxSide: 0 }), /resize maxSide/],
  ];
  for (const [name, op, message] of REFUSED) {
    it(`refuse what the Python op refuses, in both forms, naming the field: ${name}`, () => {
      const img = testImage(40, 30, 3);
      useSimd(false);
      expect(() => op(img)).toThrow(message);
      useSimd(true);
      expect(() => op(img)).toThrow(message);
    });
  }

  it('never write their source frame, whichever of the two frames is the destination', () => {
    const wasm = simd()!;
    const params: Partial<Record<OpName, object>> = { resize: { maxSide: 9 }, blur: { kernelSize: 31 }, binarize: { method: 'adaptive', blockSize: 99 } };
    for (const [op, step] of Object.entries(SIMD_STEPS)) {
      for (const [w, h] of SIZES) {
        const segment = wasm.open(testImage(w, h, 4));
        for (let round = 0; round < 2; round++) {
          if (!wasm.covers(step, params[op as OpName] ?? {}, segment.width, segment.height)) break;
          const [frame, bytes] = segment.read((_, at) => [at, segment.pixels * 4]);
          const before = wasm.bytes(frame, bytes).slice();
          segment.apply(step, params[op as OpName] ?? {});
          expect(wasm.bytes(frame, bytes).findIndex((v, i) => v !== before[i]), `${op} on ${w}x${h}, round ${round}`).toBe(-1);
        }
      }
    }
  });

  it('refuse to use a Segment whose memory a newer one has taken over', () => {
    const wasm = simd()!;
    const first = wasm.open(testImage(20, 10, 1));
    wasm.open(testImage(20, 10, 2));
    expect(() => first.close()).toThrow(/superseded/);
  });

  it('return buffers of their own, which a later call does not overwrite', () => {
    const first = grayscale(testImage(40, 30, 1));
    const copy = first.data.slice();
    blur(testImage(300, 200, 2), { kernelSize: 9 });
    expect(first.data).toEqual(copy);
    expect(first.data.buffer.byteLength).toBe(40 * 30 * 4);
  });
});
