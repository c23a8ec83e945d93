import { describe, expect, it } from 'vitest';
import type { Item } from '../api/lab';
import { applyOps, opsOf } from '../components/eval/handoff';
import { countMarks, fitView, heatColour, metricColumns, moveSelection, nextSort, parseValues, toFrame, worstFirst, zoomAt } from '../components/eval/logic';

const item = (metrics: Record<string, number>): Item => ({
  name: 'a.jpg',
  status: 'completed',
  error: null,
  cache_key: null,
  width: 10,
  height: 10,
  detections: 1,
  timings: {},
  metrics: { 'icdar2015-iou': metrics },
  reused: false,
});

describe('items table', () => {
  it('sorts a new column worst first and flips the same one', () => {
    expect(worstFirst('hmean')).toEqual({ key: 'hmean', order: 'asc' });
    expect(worstFirst('fn')).toEqual({ key: 'fn', order: 'desc' });
    expect(nextSort({ key: 'hmean', order: 'asc' }, 'fp')).toEqual({ key: 'fp', order: 'desc' });
    expect(nextSort({ key: 'fp', order: 'desc' }, 'fp')).toEqual({ key: 'fp', order: 'asc' });
  });

  it('shows every numeric metric the items carry, known ones first (a new metric is data)', () => {
    const cols = metricColumns([item({ recall: 1, hmean: 1, tp: 2, cer: 0.1 }), item({ precision: 1, word_f1: 0.5 })], 'icdar2015-iou');
    expect(cols).toEqual(['hmean', 'precision', 'recall', 'tp', 'cer', 'word_f1']);
    expect(metricColumns([item({ hmean: 1 })], 'deteval')).toEqual([]);
  });

  it('moves the selection with the keyboard, inside the rows', () => {
    expect(moveSelection('ArrowDown', 0, 3)).toBe(1);
    expect(moveSelection('j', 2, 3)).toBe(2);
    expect(moveSelection('ArrowUp', 0, 3)).toBe(0);
    expect(moveSelection('End', 0, 3)).toBe(2);
    expect(moveSelection('PageDown', 0, 30)).toBe(10);
    expect(moveSelection('x', 0, 3)).toBeNull();
    expect(moveSelection('ArrowDown', 0, 0)).toBeNull();
  });
});

describe('zoom and pan', () => {
  it('fits the image centred, and zooming keeps the point under the pointer', () => {
    const view = fitView({ width: 200, height: 100 }, { width: 400, height: 400 });
    expect(view).toEqual({ scale: 2, x: 0, y: 100 });
    const under: [number, number] = [50, 25];
    const at = toFrame(view, under);
    const zoomed = zoomAt(view, 3, at[0], at[1]);
    expect(zoomed.scale).toBe(6);
    const again = toFrame(zoomed, under);
    expect(again[0]).toBeCloseTo(at[0]);
    expect(again[1]).toBeCloseTo(at[1]);
    expect(zoomAt(view, 1e6, 0, 0).scale).toBe(32);
  });
});

describe('marks, colours, grid values', () => {
  it('counts each mark', () => {
    const counts = countMarks({
      detections: [{ points: [], score: 1, match: 'tp' }, { points: [], score: 1, match: 'fp' }, { points: [], score: 1, match: 'fp' }],
      ground_truth: [{ points: [], text: null, match: 'fn' }, { points: [], text: '###', match: 'dont_care' }],
    });
    expect(counts).toMatchObject({ 'det:tp': 1, 'det:fp': 2, 'det:ignored': 0, 'gt:fn': 1, 'gt:tp': 0, 'gt:dont_care': 1 });
  });

  it('colours scores from dark to light and clamps', () => {
    expect(heatColour(0)).toBe('rgb(68, 1, 84)');
    expect(heatColour(1)).toBe('rgb(253, 231, 37)');
    expect(heatColour(7)).toBe(heatColour(1));
    expect(heatColour(Number.NaN)).toBe(heatColour(0));
  });

  it('reads a list of values or says what is wrong', () => {
    expect(parseValues('0.4, 0.2 0.4;0.3', 0, 1, 'thresh')).toEqual([0.2, 0.3, 0.4]);
    expect(parseValues('', 0, 1, 'thresh')).toMatch(/at least one/);
    expect(parseValues('0.2, 2', 0, 1, 'thresh')).toMatch(/'2' is not a number in \[0, 1\]/);
    expect(parseValues('a', 0, 1, 'thresh')).toMatch(/'a'/);
  });
});

describe('studio hand-off', () => {
  it('takes the run spec ops (not the thresholds) over the defaults', () => {
    const params = { grayscale: true, blur: { kernelSize: 7 }, binarize: false, detection: { thresh: 0.2 } };
    expect(opsOf(params)).toEqual({ grayscale: true, blur: { kernelSize: 7 } });
    const state = {
      grayscale: { enabled: false, values: {} },
      blur: { enabled: false, values: { kernelSize: 5, sigma: 0 } },
      binarize: { enabled: true, values: { method: 'otsu' } },
    };
    expect(applyOps(state, params)).toEqual({
      grayscale: { enabled: true, values: {} },
      blur: { enabled: true, values: { kernelSize: 7, sigma: 0 } },
      binarize: { enabled: false, values: { method: 'otsu' } },
    });
  });
});
