import { describe, expect, it } from 'vitest';
import { autocontrast, stretchLut } from '../workers/kernels/autocontrast';
import { channel, imageFrom } from './helpers';

describe('autocontrast', () => {
  it('stretches each channel from its own [lo, hi] to [0, 255] with truncation', () => {
    // R spans 50..150 (scale 2.55, offset -127.5); G is flat (identity); B spans 0..255 (identity).
    const img = imageFrom(3, 1, (x) => [[50, 100, 150][x], 77, [0, 128, 255][x], 99]);
    const out = autocontrast(img);
    expect(channel(out, 0)).toEqual([0, 127, 255]); // int(100*2.55-127.5) = int(127.5) = 127
    expect(channel(out, 1)).toEqual([77, 77, 77]);
    expect(channel(out, 2)).toEqual([0, 128, 255]);
    expect(channel(out, 3)).toEqual([99, 99, 99]);
  });

  it('cuts cutoff% of pixels from each end as Pillow does', () => {
    // 10 pixels at 0, 80 at 100, 10 at 200; cutoff 10% cuts 10 from each end: lo=hi=100 -> identity.
    const hist = new Float64Array(256);
    hist[0] = 10;
    hist[100] = 80;
    hist[200] = 10;
    const lut = stretchLut(hist, 10, 100);
    expect(Array.from(lut.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);
    // With 5%: 5 cut from bin 0 and 5 from bin 200, so lo=0, hi=200, scale 1.275.
    const hist2 = new Float64Array(256);
    hist2[0] = 10;
    hist2[100] = 80;
    hist2[200] = 10;
    const lut2 = stretchLut(hist2, 5, 100);
    expect(lut2[100]).toBe(127);
    expect(lut2[200]).toBe(254); // 200 * (255 / 200) is 254.99999999999997 in doubles; int() truncates (Pillow agrees)
    expect(lut2[255]).toBe(255);
  });

  it('drops a whole bin when the cut exceeds it', () => {
    const hist = new Float64Array(256);
    hist[10] = 2;
    hist[20] = 96;
    hist[30] = 2;
    // 3% of 100 = 3: bin 10 (2) goes, one pixel of bin 20 goes; lo = 20, hi = 20 after the high cut.
    const lut = stretchLut(hist, 3, 100);
    expect(lut[20]).toBe(20);
  });
});
