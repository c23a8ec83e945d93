import { describe, expect, it } from 'vitest';
import { backgroundRemoval } from '../workers/kernels/background_removal';
import { fillHoles, largestComponent, open3x3, otsuOfHistogram, pageMaskWorking, workingFactor } from '../workers/kernels/page/region';
import { imageFrom, pixel } from './helpers';

/** A white page (with a dark text line) on a dark brown table. */
const page = imageFrom(120, 90, (x, y) => {
  const inPage = x >= 30 && x < 90 && y >= 15 && y < 75;
  if (!inPage) return [70, 50, 35, 255];
  return y === 40 && x > 40 && x < 80 ? [20, 20, 20, 255] : [240, 238, 232, 255];
});

describe('background_removal', () => {
  it('works at about 512 px on the long side, never below 1 px', () => {
    expect(workingFactor(1536, 2048)).toBe(4);
    expect(workingFactor(480, 640)).toBe(2);
    expect(workingFactor(300, 400)).toBe(1);
    expect(workingFactor(1, 2000)).toBe(1);
  });

  it('otsu puts the threshold between two clusters, first maximum on ties', () => {
    const hist = new Array(256).fill(0);
    hist[50] = 10;
    hist[200] = 10;
    expect(otsuOfHistogram(hist)).toBe(50);
    expect(otsuOfHistogram(new Array(256).fill(0))).toBe(0);
  });

  it('opening removes a one-pixel bridge, the largest component wins, holes are filled', () => {
    const w = 7;
    const h = 5;
    const m = new Uint8Array(w * h);
    const set = (x: number, y: number) => (m[y * w + x] = 1);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 3; x++) set(x, y); // a 3x5 block
    set(3, 2); // a thin bridge
    set(6, 0); // a speck
    const opened = open3x3(m, w, h);
    expect(opened[2 * w + 3]).toBe(0);
    expect(opened[2 * w + 1]).toBe(1);
    const largest = largestComponent(m, w, h);
    expect(largest[0 * w + 6]).toBe(0);
    expect(largest[2 * w + 3]).toBe(1);
    const ring = new Uint8Array(9).fill(1);
    ring[4] = 0;
    expect(Array.from(fillHoles(ring, 3, 3))).toEqual(new Array(9).fill(1));
  });

  it('finds the page, feathers its edge and whitens the table', () => {
    const m = pageMaskWorking(page);
    expect(m.mask[45 * m.w + 60]).toBe(1); // the text line is a filled hole
    expect(m.mask[5 * m.w + 5]).toBe(0);
    const out = backgroundRemoval(page, { strength: 1 });
    expect(pixel(out, 60, 45)[3]).toBe(255);
    expect(pixel(out, 60, 40).slice(0, 3)).toEqual([20, 20, 20]); // ink on the page is kept
    expect(pixel(out, 5, 5)).toEqual([255, 255, 255, 0]);
    const edge = pixel(out, 30, 45)[3];
    expect(edge).toBeGreaterThan(0);
    expect(edge).toBeLessThan(255);
    const half = backgroundRemoval(page, { strength: 0 });
    expect(pixel(half, 5, 5)).toEqual([70, 50, 35, 0]); // strength 0: colour untouched, mask in alpha
  });
});
