import { describe, expect, it } from 'vitest';
import { durationBars, minuteSeries } from '../components/telemetry/series';

describe('minuteSeries', () => {
  it('has a point for every minute of the window, empty where nothing was sampled', () => {
    const now = 10_000 * 60 + 30; // half a minute into minute 10000
    const series = minuteSeries([{ minute: 9_990 * 60, mean: 1.234, max: 3, samples: 4 }], 1, now);
    expect(series).toHaveLength(60);
    expect(series[0].minute).toBe(9_941 * 60);
    expect(series[59].minute).toBe(10_000 * 60);
    expect(series.filter((p) => p.mean !== null)).toEqual([{ minute: 9_990 * 60, mean: 1.23, max: 3 }]);
    expect(series[58]).toEqual({ minute: 9_999 * 60, mean: null, max: null });
  });
});

describe('durationBars', () => {
  it('labels every op, the whole render last, and never goes below the log floor', () => {
    const d = (p50: number) => ({ count: 1, mean_ms: p50, p50_ms: p50, p95_ms: p50 * 2, max_ms: p50 * 3 });
    const bars = durationBars({ total: d(40), resize: d(3), blur: d(0.01), background_removal: d(90) });
    expect(bars.map((b) => b.op)).toEqual(['background_removal', 'blur', 'resize', 'total']);
    expect(bars[1]).toEqual({ op: 'blur', p50: 0.1, p95: 0.1 });
  });
});
