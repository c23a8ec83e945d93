import { describe, expect, it } from 'vitest';
import { binarize, otsuThreshold } from '../workers/kernels/binarize';
import { channel, imageFrom, pixel } from './helpers';

describe('binarize', () => {
  it('otsu splits a two-level image between its levels', () => {
    const gray = new Uint8Array([40, 40, 40, 200, 200, 200, 200, 40]);
    const t = otsuThreshold(gray);
    expect(t).toBeGreaterThanOrEqual(40);
    expect(t).toBeLessThan(200);
    const img = imageFrom(8, 1, (x) => [gray[x], gray[x], gray[x], 7]);
    const out = binarize(img, { method: 'otsu' });
    expect(channel(out, 0)).toEqual(Array.from(gray, (v) => (v > 100 ? 255 : 0)));
    expect(channel(out, 3)).toEqual(Array(8).fill(7));
  });

  it('otsu resolves a tie in floating point as OpenCV does', () => {
    // Three equal classes at 0, 100, 200: splitting after 0 or after 100 is equally good on paper;
    // in doubles the second split comes out a hair larger, and cv2.threshold answers 100 too.
    expect(otsuThreshold(new Uint8Array([0, 100, 200]))).toBe(100);
    expect(otsuThreshold(new Uint8Array([0, 0, 100, 200, 200]))).toBe(100);
  });

  it('adaptive: white where src > mean - C, mean over the replicated block', () => {
    const flat = imageFrom(9, 9, () => [120, 120, 120, 255]);
    expect(channel(binarize(flat, { method: 'adaptive', blockSize: 3, C: 5 }), 0).every((v) => v === 255)).toBe(true);
    expect(channel(binarize(flat, { method: 'adaptive', blockSize: 3, C: -5 }), 0).every((v) => v === 0)).toBe(true);
    // A dark dot on light paper is ink; its neighbours stay paper.
    const dot = imageFrom(9, 9, (x, y) => (x === 4 && y === 4 ? [20, 20, 20, 255] : [200, 200, 200, 255]));
    const out = binarize(dot, { method: 'adaptive', blockSize: 5, C: 2 });
    expect(pixel(out, 4, 4).slice(0, 3)).toEqual([0, 0, 0]);
    expect(pixel(out, 3, 4).slice(0, 3)).toEqual([255, 255, 255]);
  });

  it('refuses an even block size', () => {
    expect(() => binarize(imageFrom(3, 3, () => [0, 0, 0, 0]), { method: 'adaptive', blockSize: 4, C: 0 })).toThrow(/odd/);
  });
});
