import { describe, expect, it } from 'vitest';
import { NO_PAGE } from '../workers/kernels/page/finder';
import { planSteps, runSteps } from '../workers/pipeline';
import { reportsOf } from '../workers';
import { imageFrom } from './helpers';

// A light page (x 80..239, y 60..299 at 320×360) on a dark table.
const page = imageFrom(320, 360, (x, y) => (x >= 80 && x < 240 && y >= 60 && y < 300 ? [236, 234, 228, 255] : [70, 50, 35, 255]));
const flat = imageFrom(320, 360, (x, y) => [120 + ((x * 7 + y * 3) % 5), 118, 110, 255]);

describe('page reports', () => {
  it('come with the step that found the page, in the input image’s pixels after a resize', () => {
    const { timings } = runSteps(page, planSteps('preprocessing', { resize: { maxSide: 180 }, crop_document: true }));
    const reports = reportsOf(timings);
    const quad = reports.crop_document.quad!;
    const want = [[79.5, 59.5], [239.5, 59.5], [239.5, 299.5], [79.5, 299.5]];
    quad.forEach(([x, y], i) => {
      expect(Math.abs(x - want[i][0])).toBeLessThanOrEqual(3);
      expect(Math.abs(y - want[i][1])).toBeLessThanOrEqual(3);
    });
    expect(reports.crop_document.confidence).toBeGreaterThanOrEqual(0.5);
    expect(reports.resize).toBeUndefined();
  });

  it('say so when there is no page edge, and the image is unchanged', () => {
    const { image, timings } = runSteps(flat, planSteps('preprocessing', { crop_document: true, background_removal: true }));
    const reports = reportsOf(timings);
    expect(reports.crop_document).toMatchObject({ quad: null, note: NO_PAGE });
    expect(reports.background_removal).toMatchObject({ quad: null, note: NO_PAGE });
    expect(Array.from(image.data)).toEqual(Array.from(flat.data));
  });
});
