import { describe, expect, it } from 'vitest';
import { effectiveSigma } from '../workers/kernels/blur';
import { proxyFactor, proxyMaxSide, proxyParams, scaleLabel } from '../workers/proxy';

describe('proxyFactor', () => {
  it('is the smallest whole factor that brings the long side within the limit', () => {
    expect(proxyFactor(2048, 1536)).toBe(1);
    expect(proxyFactor(640, 480)).toBe(1);
    expect(proxyFactor(2049, 100)).toBe(2);
    expect(proxyFactor(4032, 3024)).toBe(2);
    expect(proxyFactor(3024, 4032)).toBe(2);
    expect(proxyFactor(7000, 5000)).toBe(4);
    expect(proxyFactor(4032, 3024, 1000)).toBe(5);
  });

  it('makes a proxy whose long side is the long side divided by the factor', () => {
    expect(proxyMaxSide(4032, 3024, 2)).toBe(2016);
    expect(proxyMaxSide(5000, 3750, 3)).toBe(1667);
  });
});

describe('proxyParams', () => {
  it('leaves the params alone when the image is held at full size and nothing grows past the limit', () => {
    const params = { blur: { kernelSize: 17, sigma: 0 }, binarize: { method: 'adaptive', blockSize: 31, C: 10 } };
    expect(proxyParams(params, 1)).toEqual({ params, scale: 1 });
  });

  it('halves the blur and the adaptive block on a 1/2 proxy, kept odd and at least 3', () => {
    const { params, scale } = proxyParams({ blur: { kernelSize: 17, sigma: 0 }, binarize: { method: 'adaptive', blockSize: 31, C: 10 } }, 2);
    expect(scale).toBe(0.5);
    expect(params.blur).toEqual({ kernelSize: 9, sigma: effectiveSigma(17, 0) / 2 });
    expect(params.binarize).toEqual({ method: 'adaptive', blockSize: 15, C: 10 });
    expect(proxyParams({ blur: { kernelSize: 3, sigma: 4 } }, 4).params.blur).toEqual({ kernelSize: 3, sigma: 1 });
    expect(proxyParams({ binarize: { method: 'adaptive', blockSize: 5, C: 2 } }, 3).params.binarize).toMatchObject({ blockSize: 3 });
  });

  it('fills in the defaults of an op switched on with true', () => {
    const { params } = proxyParams({ blur: true, binarize: true }, 2);
    expect(params.blur).toEqual({ kernelSize: 3, sigma: effectiveSigma(5, 0) / 2 });
    expect(params.binarize).toBe(true); // Otsu has no size: nothing to scale
  });

  it('runs resize as asked when its size is within the limit: the preview has the full result size', () => {
    const asked = { resize: { maxSide: 1024 }, blur: { kernelSize: 9, sigma: 0 } };
    expect(proxyParams(asked, 2)).toEqual({ params: asked, scale: 1 });
    expect(proxyParams({ resize: true, blur: { kernelSize: 9, sigma: 0 } }, 3).scale).toBe(1);
  });

  it('caps a resize past the limit and scales what follows it, on a proxy or not', () => {
    const { params, scale } = proxyParams({ resize: { maxSide: 8192 }, blur: { kernelSize: 31, sigma: 0 } }, 1);
    expect(scale).toBe(0.25);
    expect(params.resize).toEqual({ maxSide: 2048 });
    expect(params.blur).toMatchObject({ kernelSize: 7 }); // the odd size nearest 31 / 4
    expect(proxyParams({ resize: { maxSide: 3000 } }, 2)).toEqual({ params: { resize: { maxSide: 2048 } }, scale: 2048 / 3000 });
  });

  it('keeps ops without pixel sizes as they are', () => {
    const asked = { crop_document: true, background_removal: { strength: 0.5 }, grayscale: true, autocontrast: { cutoff: 2 } };
    expect(proxyParams(asked, 2)).toEqual({ params: asked, scale: 0.5 });
  });
});

describe('scaleLabel', () => {
  it('names whole fractions, else a percentage', () => {
    expect(scaleLabel(0.5)).toBe('1/2');
    expect(scaleLabel(1 / 3)).toBe('1/3');
    expect(scaleLabel(2048 / 3000)).toBe('68%');
  });
});
