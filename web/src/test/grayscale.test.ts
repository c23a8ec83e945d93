import { describe, expect, it } from 'vitest';
import { grayscale } from '../workers/kernels/grayscale';
import { imageFrom, pixel } from './helpers';

describe('grayscale', () => {
  it('is BT.601 luma on all three channels, alpha kept', () => {
    const colours = [[255, 0, 0, 10], [0, 255, 0, 128], [0, 0, 255, 255], [255, 255, 255, 0], [10, 20, 30, 77]];
    const img = imageFrom(5, 1, (x) => colours[x]);
    const out = grayscale(img);
    colours.forEach(([r, g, b, a], x) => {
      const y = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      expect(pixel(out, x, 0)).toEqual([y, y, y, a]);
    });
  });

  it('leaves its input alone', () => {
    const img = imageFrom(1, 1, () => [200, 10, 10, 255]);
    grayscale(img);
    expect(pixel(img, 0, 0)).toEqual([200, 10, 10, 255]);
  });
});
