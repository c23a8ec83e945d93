import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../api/client';
import type { CheckpointEntry } from '../api/inference';
import { LatestOnly } from '../lib/latest';
import {
  filterCheckpoints,
  formatValue,
  labelAnchor,
  predictionsFileName,
  predictionsJson,
  scalePoints,
  svgPoints,
  thresholdDefaults,
  thresholdFields,
} from '../components/inference/logic';

function entry(path: string, name: string, ready = true): CheckpointEntry {
  return {
    checkpoint_path: path,
    display_name: name,
    format: ready ? 'onnx' : 'training',
    status: ready ? 'ready' : 'not_loadable',
    reason: ready ? null : 'Training checkpoints are never unpickled; export it to ONNX first.',
    size_bytes: 1,
    modified: '2026-11-26T00:00:00Z',
    profile: null,
  };
}

describe('filterCheckpoints', () => {
  const list = [
    entry('dbnet/epoch=12.ckpt', 'epoch=12.ckpt', false),
    entry('builtin:ppocrv4-det', 'PP-OCRv4 detection (demo, rapidocr_onnxruntime)'),
    entry('dbnet/det.onnx', 'det.onnx'),
  ];

  it('puts ready checkpoints first and keeps the server order otherwise', () => {
    expect(filterCheckpoints(list, '').map((e) => e.checkpoint_path)).toEqual([
      'builtin:ppocrv4-det',
      'dbnet/det.onnx',
      'dbnet/epoch=12.ckpt',
    ]);
  });

  it('matches every word in any order and case, in the name or the path', () => {
    expect(filterCheckpoints(list, 'DEMO v4').map((e) => e.checkpoint_path)).toEqual(['builtin:ppocrv4-det']);
    expect(filterCheckpoints(list, 'dbnet').map((e) => e.checkpoint_path)).toEqual(['dbnet/det.onnx', 'dbnet/epoch=12.ckpt']);
    expect(filterCheckpoints(list, 'ppocr ckpt')).toEqual([]);
  });
});

describe('scalePoints', () => {
  it('maps original pixels onto the displayed size, each axis by its own factor', () => {
    const pts = scalePoints([[0, 0], [720, 1000], [360, 250]], { width: 720, height: 1000 }, { width: 360, height: 500 });
    expect(pts).toEqual([[0, 0], [360, 500], [180, 125]]);
  });

  it('gives nothing for an image without a size', () => {
    expect(scalePoints([[1, 1]], { width: 0, height: 10 }, { width: 10, height: 10 })).toEqual([]);
  });

  it('writes SVG points with one decimal', () => {
    expect(svgPoints([[1, 2.25], [3.04, 4]])).toBe('1.0,2.3 3.0,4.0');
  });

  it('puts a label above the top-left corner, or below it at the top edge', () => {
    const shown = { width: 200, height: 100 };
    expect(labelAnchor([[50, 40], [90, 40], [90, 60], [50, 60]], shown)).toEqual([50, 38]);
    expect(labelAnchor([[50, 2], [90, 2], [90, 20], [50, 20]], shown)).toEqual([50, 16]);
  });
});

describe('predictionsJson', () => {
  it('writes the receipt competition format, as the CLI does', () => {
    const got = predictionsJson('receipt.jpg', [
      { points: [[1.04, 2], [10, 2], [10, 8.96], [1, 9]], score: 0.86191 },
      { points: [[0, 0], [1, 0], [1, 1]], score: 0.5 },
    ]);
    expect(got).toEqual({
      images: {
        'receipt.jpg': {
          words: {
            '0': { points: [[1, 2], [10, 2], [10, 9], [1, 9]], score: 0.8619 },
            '1': { points: [[0, 0], [1, 0], [1, 1]], score: 0.5 },
          },
        },
      },
    });
  });

  it('keeps an image with no detections, with no words', () => {
    expect(predictionsJson('a.png', [])).toEqual({ images: { 'a.png': { words: {} } } });
  });

  it('names the file after the image', () => {
    expect(predictionsFileName('scans/receipt-3.jpg')).toBe('receipt-3-predictions.json');
    expect(predictionsFileName('.jpg')).toBe('image-predictions.json');
  });
});

describe('thresholdFields', () => {
  // The shape of GET /api/inference/schema's "detection" (pydantic's JSON Schema, by alias).
  const schema: JsonSchema = {
    properties: {
      thresh: { type: 'number', default: 0.3, minimum: 0, maximum: 1, description: 'Pixel threshold' },
      unclipRatio: { type: 'number', default: 1.5, exclusiveMinimum: 0, maximum: 10 },
      maxCandidates: { type: 'integer', default: 1000, minimum: 1, maximum: 100000 },
      mode: { type: 'string', default: 'box', enum: ['box', 'polygon'] },
      dilate: { type: 'boolean', default: false },
    },
  };
  const fields = thresholdFields(schema);
  const by = (name: string) => fields.find((f) => f.name === name)!;

  it('makes a hundredth-of-the-range slider for a probability', () => {
    expect(by('thresh')).toMatchObject({ kind: 'slider', min: 0, max: 1, step: 0.01, description: 'Pixel threshold' });
  });

  it('starts an exclusive minimum one step in, so every position is valid', () => {
    expect(by('unclipRatio')).toMatchObject({ kind: 'slider', min: 0.1, max: 10, step: 0.1 });
  });

  it('brings a far maximum in to 10x the default, integers by 1', () => {
    expect(by('maxCandidates')).toMatchObject({ kind: 'slider', integer: true, min: 1, max: 10000, step: 1 });
  });

  it('makes a choice of an enum and a switch of a boolean', () => {
    expect(by('mode')).toMatchObject({ kind: 'enum', options: ['box', 'polygon'] });
    expect(by('dilate').kind).toBe('boolean');
  });

  it('starts from the schema defaults and formats by the step', () => {
    expect(thresholdDefaults(fields)).toEqual({ thresh: 0.3, unclipRatio: 1.5, maxCandidates: 1000, mode: 'box', dilate: false });
    expect(formatValue(0.3, by('thresh'))).toBe('0.30');
    expect(formatValue(1000, by('maxCandidates'))).toBe('1000');
  });
});

describe('LatestOnly', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A server whose replies the test releases by hand, in any order. */
  function harness(delayMs = 100) {
    const calls: { q: number; resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
    const results: [string, number][] = [];
    const errors: number[] = [];
    const runner = new LatestOnly<number, string>(
      (q) => new Promise<string>((resolve, reject) => calls.push({ q, resolve, reject })),
      { onResult: (r, q) => results.push([r, q]), onError: (_e, q) => errors.push(q) },
      delayMs,
    );
    return { runner, calls, results, errors };
  }

  it('sends one request for a burst of moves, after the pause', async () => {
    const { runner, calls, results } = harness();
    for (let v = 1; v <= 10; v++) {
      runner.request(v);
      vi.advanceTimersByTime(30);
    }
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(calls.map((c) => c.q)).toEqual([10]);
    calls[0].resolve('r10');
    await vi.runAllTimersAsync();
    expect(results).toEqual([['r10', 10]]);
  });

  it('keeps one in flight, drops the stale reply and sends only the newest waiting one', async () => {
    const { runner, calls, results } = harness();
    runner.requestNow(1);
    runner.requestNow(2);
    runner.requestNow(3);
    expect(calls.map((c) => c.q)).toEqual([1]);
    calls[0].resolve('r1');
    await vi.runAllTimersAsync();
    expect(results).toEqual([]); // 1 was superseded while it ran
    expect(calls.map((c) => c.q)).toEqual([1, 3]); // 2 never went out
    calls[1].resolve('r3');
    await vi.runAllTimersAsync();
    expect(results).toEqual([['r3', 3]]);
    expect(runner.stats).toEqual({ sent: 2, dropped: 1, maxInFlight: 1 });
  });

  it('drops a reply when a newer request is still in its debounce', async () => {
    const { runner, calls, results } = harness();
    runner.requestNow(1);
    runner.request(2);
    calls[0].resolve('r1');
    await Promise.resolve();
    await Promise.resolve();
    expect(results).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(calls.map((c) => c.q)).toEqual([1, 2]);
  });

  it('reports an error of the latest request and carries on', async () => {
    const { runner, calls, results, errors } = harness();
    runner.requestNow(1);
    calls[0].reject(new Error('422'));
    await vi.runAllTimersAsync();
    expect(errors).toEqual([1]);
    runner.requestNow(2);
    calls[1].resolve('r2');
    await vi.runAllTimersAsync();
    expect(results).toEqual([['r2', 2]]);
    expect(runner.busy).toBe(false);
  });

  it('is busy from the first move until the last answer, debounce included', async () => {
    const busy: boolean[] = [];
    const calls: ((r: string) => void)[] = [];
    const runner = new LatestOnly<number, string>(
      () => new Promise<string>((resolve) => calls.push(resolve)),
      { onResult: () => {}, onError: () => {}, onBusy: (b) => busy.push(b) },
      100,
    );
    runner.request(1);
    expect(runner.busy).toBe(true);
    vi.advanceTimersByTime(100);
    calls[0]('r1');
    await vi.runAllTimersAsync();
    expect(busy.at(-1)).toBe(false);
    expect(runner.busy).toBe(false);
  });

  it('delivers nothing after dispose', async () => {
    const { runner, calls, results } = harness();
    runner.requestNow(1);
    runner.request(2);
    runner.dispose();
    calls[0].resolve('r1');
    await vi.runAllTimersAsync();
    expect(results).toEqual([]);
    expect(calls).toHaveLength(1);
  });
});
