import { describe, expect, it } from 'vitest';
import { resize, targetSize } from '../workers/kernels/resize';
import { channel, imageFrom } from './helpers';

describe('resize', () => {
  it('puts the long side at maxSide and rounds the short side half up', () => {
    expect(targetSize(131, 97, 50)).toEqual([50, 37]); // 97*50/131 = 37.02
    expect(targetSize(97, 131, 50)).toEqual([37, 50]);
    expect(targetSize(3, 1000, 10)).toEqual([1, 10]); // never below 1
    expect(targetSize(200, 100, 401)).toEqual([401, 201]); // 200.5 rounds up
  });

  it('averages boxes exactly for an integer factor', () => {
    const img = imageFrom(4, 2, (x, y) => [x * 10 + y, 0, 0, 255]);
    const out = resize(img, { maxSide: 2 });
    expect([out.width, out.height]).toEqual([2, 1]);
    // (0+1+10+11)/4 = 5.5 and (20+21+30+31)/4 = 25.5; the Uint8ClampedArray store rounds half to even
    expect(channel(out, 0)).toEqual([6, 26]);
  });

  it('weights partial source pixels by overlap for a fractional factor', () => {
    // 3 -> 2: output 0 covers pixel 0 and half of pixel 1: (0*1 + 90*0.5) / 1.5 = 30.
    const img = imageFrom(3, 1, (x) => [[0, 90, 180][x], 0, 0, 255]);
    expect(channel(resize(img, { maxSide: 2 }), 0)).toEqual([30, 150]);
  });

  it('interpolates bilinearly with half-pixel centres when growing', () => {
    const img = imageFrom(2, 1, (x) => [x * 255, 0, 0, 255]);
    // source x = (dx + 0.5) / 2 - 0.5: -0.25 (clamped), 0.25, 0.75, 1.25 (clamped)
    const out = resize(img, { maxSide: 4 });
    expect([out.width, out.height]).toEqual([4, 2]);
    expect(channel(out, 0)).toEqual([0, 64, 191, 255, 0, 64, 191, 255]);
  });
});
