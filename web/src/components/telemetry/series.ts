/** Shaping the summary for the Telemetry page's charts. Pure, so Vitest covers it. */
import type { MetricsSummary } from '../../api/metrics';

export interface DepthPoint {
  minute: number;
  /** null: no sample that minute (the line has a gap there, the axis keeps the minute). */
  mean: number | null;
  max: number | null;
}

/**
 * One point per minute from the first minute of the window to the current one, so the time axis
 * shows the minutes without samples too instead of drawing two distant samples side by side.
 */
export function minuteSeries(samples: MetricsSummary['queue_depth'], hours: number, nowSeconds: number): DepthPoint[] {
  const last = Math.floor(nowSeconds / 60) * 60;
  const first = last - hours * 3600 + 60;
  const byMinute = new Map(samples.map((s) => [s.minute, s]));
  const out: DepthPoint[] = [];
  for (let minute = first; minute <= last; minute += 60) {
    const s = byMinute.get(minute);
    out.push({ minute, mean: s ? Number(s.mean.toFixed(2)) : null, max: s ? s.max : null });
  }
  return out;
}

/** Durations by op for a log-scale bar chart: 0.1 ms at least (log 0 is nowhere). "total"
 *  (a whole render) goes last, the ops by name before it. */
export function durationBars(durations: MetricsSummary['durations']): { op: string; p50: number; p95: number }[] {
  const floor = (ms: number) => Math.max(0.1, Number(ms.toFixed(1)));
  return Object.entries(durations)
    .sort(([a], [b]) => (a === 'total' ? 1 : b === 'total' ? -1 : a.localeCompare(b)))
    .map(([op, d]) => ({ op, p50: floor(d.p50_ms), p95: floor(d.p95_ms) }));
}
