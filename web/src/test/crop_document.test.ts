import { describe, expect, it } from 'vitest';
import { cropDocument, findPageQuad, outputSize, perspectiveTransform } from '../workers/kernels/crop_document';
import { imageFrom } from './helpers';

describe('crop_document', () => {
  it('solves the homography that maps four corners onto four corners', () => {
    const from: [number, number][] = [[10, 20], [110, 25], [105, 220], [5, 210]];
    const to: [number, number][] = [[0, 0], [99, 0], [99, 199], [0, 199]];
    const m = perspectiveTransform(from, to);
    from.forEach(([x, y], i) => {
      const z = m[6] * x + m[7] * y + m[8];
      expect((m[0] * x + m[1] * y + m[2]) / z).toBeCloseTo(to[i][0], 6);
      expect((m[3] * x + m[4] * y + m[5]) / z).toBeCloseTo(to[i][1], 6);
    });
  });

  it('sizes the output by the longest opposite sides', () => {
    expect(outputSize([[0, 0], [100, 0], [100, 50], [0, 50]])).toEqual([100, 50]);
    // The slanted right side is hypot(20, 50) = 53.85 long: the height is 54.
    expect(outputSize([[0, 0], [80, 0], [100, 50], [0, 50]])).toEqual([100, 54]);
  });

  it('finds an upright page to the pixel and crops to it', () => {
    // Page pixels span x 40..119 and y 30..149: its edges are half a pixel outside those centres.
    const img = imageFrom(160, 180, (x, y) => (x >= 40 && x < 120 && y >= 30 && y < 150 ? [235, 235, 230, 255] : [60, 45, 30, 255]));
    const quad = findPageQuad(img)!;
    expect(quad).not.toBeNull();
    const want = [[39.5, 29.5], [119.5, 29.5], [119.5, 149.5], [39.5, 149.5]];
    quad.forEach(([x, y], i) => {
      expect(Math.abs(x - want[i][0])).toBeLessThanOrEqual(1);
      expect(Math.abs(y - want[i][1])).toBeLessThanOrEqual(1);
    });
    const out = cropDocument(img);
    expect(Math.abs(out.width - 80)).toBeLessThanOrEqual(1);
    expect(Math.abs(out.height - 120)).toBeLessThanOrEqual(1);
    const centre = ((out.height >> 1) * out.width + (out.width >> 1)) * 4;
    expect(out.data[centre]).toBe(235);
  });

  it('returns the image unchanged when there is no page', () => {
    const flat = imageFrom(50, 40, () => [90, 90, 90, 255]);
    const out = cropDocument(flat);
    expect([out.width, out.height]).toEqual([50, 40]);
    expect(out.data).toEqual(flat.data);
  });
});
