import { describe, expect, it } from 'vitest';
import type { Item } from '../api/lab';
import { applyOps, opsOf } from '../components/eval/handoff';
import {
  countMarks,
  fitView,
  formatMetric,
  gained,
  heatColour,
  isCompareMetric,
  metricColumns,
  moveSelection,
  nextSort,
  parseValues,
  readVerdict,
  SORTABLE,
  textColumns,
  textValue,
  toFrame,
  worstFirst,
  zoomAt,
} from '../components/eval/logic';
import type { TextMetrics } from '../api/runs';

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
  text_metrics: null,
  reused: false,
});

const TEXT: TextMetrics = {
  cer: 0.25,
  lines_matched: 2,
  char_edits: 3,
  gt_chars: 12,
  words: { precision: 0.5, recall: 0.4, f1: 0.444, correct: 2, read: 4, gt: 5 },
  end_to_end: { precision: 0.25, recall: 0.2, hmean: 0.222, correct: 1, det: 4, gt: 5 },
  case_sensitive: true,
};

describe('text in the Lab', () => {
  it('reads each text figure by its flat name, the names the server sorts and compares by', () => {
    expect(textValue(TEXT, 'cer')).toBe(0.25);
    expect(textValue(TEXT, 'word_f1')).toBe(0.444);
    expect(textValue(TEXT, 'word_precision')).toBe(0.5);
    expect(textValue(TEXT, 'e2e_hmean')).toBe(0.222);
    expect(textValue({ ...TEXT, cer: null }, 'cer')).toBeNull();
    expect(textValue(null, 'word_f1')).toBeUndefined();
    for (const key of ['cer', 'word_f1', 'e2e_hmean']) expect(SORTABLE.has(key)).toBe(true);
  });

  it('shows text columns only for a run that reads text, worst first by CER descending', () => {
    expect(textColumns([item({ hmean: 1 })])).toEqual([]);
    expect(textColumns([item({ hmean: 1 }), { ...item({}), text_metrics: TEXT }])).toEqual(['word_f1', 'cer', 'e2e_hmean']);
    expect(worstFirst('cer')).toEqual({ key: 'cer', order: 'desc' });
    expect(worstFirst('word_f1')).toEqual({ key: 'word_f1', order: 'asc' });
    expect(formatMetric('cer', 0.0123)).toBe('1.2');
    expect(formatMetric('word_f1', 0.9)).toBe('90.0');
  });

  it('marks a text read against the ground-truth line it is paired with', () => {
    expect(readVerdict({ text: 'TOTAL  12.50', gt_text: 'TOTAL 12.50' })).toBe('right');
    expect(readVerdict({ text: 'T0TAL', gt_text: 'TOTAL' })).toBe('wrong');
    expect(readVerdict({ text: 'EXTRA', gt_text: null })).toBe('unpaired');
    expect(readVerdict({ text: 'EXTRA' })).toBe('unpaired');
  });

  it('counts a lower CER as a gain and a higher word F1 as one', () => {
    expect(gained('cer', 0.2, 0.1)).toBeCloseTo(0.1);
    expect(gained('word_f1', 0.2, 0.1)).toBeCloseTo(-0.1);
    expect(gained('cer', null, 0.1)).toBeNull();
    expect(isCompareMetric('word_f1')).toBe(true);
    expect(isCompareMetric('colour')).toBe(false);
  });
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
  it('takes the run spec ops (not the thresholds nor the recognition params) over the defaults', () => {
    const params = { grayscale: true, blur: { kernelSize: 7 }, binarize: false, detection: { thresh: 0.2 }, recognition: { wordSpacing: false } };
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
