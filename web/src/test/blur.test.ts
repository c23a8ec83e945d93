import { describe, expect, it } from 'vitest';
import { blur, fixedPointKernel, gaussianKernel } from '../workers/kernels/blur';
import { channel, imageFrom, pixel } from './helpers';

describe('blur', () => {
  it('uses OpenCV fixed small kernels for sigma 0 and k <= 7, the sigma rule above', () => {
    expect(gaussianKernel(3, 0)).toEqual([0.25, 0.5, 0.25]);
    expect(gaussianKernel(5, 0)).toEqual([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]);
    const k9 = gaussianKernel(9, 0); // sigma = 0.3 * (4 - 1) + 0.8 = 1.7
    const e = (x: number) => Math.exp(-(x * x) / (2 * 1.7 * 1.7));
    expect(k9[4] / k9[3]).toBeCloseTo(e(0) / e(1), 12);
    expect(k9.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  it('quantises kernels to 1/256 summing exactly to 1', () => {
    for (const [k, s] of [[3, 0], [9, 0], [15, 4.2], [31, 0], [31, 1]] as const) {
      const fk = fixedPointKernel(k, s);
      expect(fk.reduce((a, b) => a + b, 0)).toBe(256);
      expect(Array.from(fk)).toEqual(Array.from(fk).reverse());
    }
    expect(Array.from(fixedPointKernel(5, 0))).toEqual([16, 64, 96, 64, 16]);
  });

  it('keeps a flat image flat and alpha untouched', () => {
    const img = imageFrom(7, 5, (x, y) => [90, 140, 210, (x * 31 + y * 7) % 256]);
    const out = blur(img, { kernelSize: 7, sigma: 2 });
    expect(channel(out, 0).every((v) => v === 90)).toBe(true);
    expect(channel(out, 3)).toEqual(channel(img, 3));
  });

  it('spreads an impulse as the separable [1 2 1]/4 kernel, reflecting at borders (reflect-101)', () => {
    const centre = imageFrom(5, 5, (x, y) => (x === 2 && y === 2 ? [255, 0, 0, 255] : [0, 0, 0, 255]));
    const out = blur(centre, { kernelSize: 3 });
    expect(pixel(out, 2, 2)[0]).toBe(64); // 255 * 1/4 = 63.75
    expect(pixel(out, 1, 2)[0]).toBe(32); // 255 * 1/8 = 31.875
    expect(pixel(out, 1, 1)[0]).toBe(16); // 255 * 1/16 = 15.94
    expect(pixel(out, 0, 0)[0]).toBe(0);
    // At a corner, reflect-101 mirrors the neighbour back: (0,0) sees itself once and x=1 twice.
    const corner = imageFrom(4, 4, (x, y) => (x === 0 && y === 0 ? [0, 255, 0, 255] : [0, 0, 0, 255]));
    const c = blur(corner, { kernelSize: 3 });
    expect(pixel(c, 0, 0)[1]).toBe(64); // 255 * 1/2 * 1/2
    expect(pixel(c, 1, 0)[1]).toBe(32); // 255 * 1/4 * 1/2
  });

  it('refuses an even kernel size', () => {
    expect(() => blur(imageFrom(2, 2, () => [0, 0, 0, 0]), { kernelSize: 4 })).toThrow(/odd/);
  });
});
