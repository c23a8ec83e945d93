import { it } from 'vitest';
import { backgroundRemoval, pageMaskWorking, softMask, pageScore, workingFactor } from '../workers/kernels/background_removal';
import { cropDocument } from '../workers/kernels/crop_document';
import { makeImage } from '../workers/kernels/image';
import { readFileSync } from 'node:fs';
it('bench', () => {
  const w = 2048, h = 1536;
  const img = makeImage(w, h, new Uint8ClampedArray(readFileSync('/tmp/photo.rgba')));
  const t = (name: string, f: () => void) => { const xs: number[] = []; for (let i = 0; i < 9; i++) { const t0 = performance.now(); f(); xs.push(performance.now() - t0); } xs.sort((a, b) => a - b); console.log('T', name, 'min', xs[0].toFixed(2), 'med', xs[4].toFixed(2)); };
  t('bg total', () => backgroundRemoval(img));
  t('pageScore', () => pageScore(img, workingFactor(h, w)));
  t('pageMaskWorking', () => pageMaskWorking(img));
  const m = pageMaskWorking(img);
  t('softMask', () => softMask(m));
  t('crop total', () => cropDocument(img));
});
