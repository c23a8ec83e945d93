/** GET /api/metrics/summary: the server's aggregate of the client events (telemetry.py). */

export interface OpDurations {
  count: number;
  mean_ms: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

export interface MetricsSummary {
  hours: number;
  events: number;
  counts: Record<string, number>;
  durations: Record<string, OpDurations>;
  queue_depth: { minute: number; mean: number; max: number; samples: number }[];
  memo_hit_rate: number | null;
  routing: Record<string, number>;
  fallback_rate: number | null;
  workers: Record<string, number>;
}

export async function fetchSummary(hours = 1): Promise<MetricsSummary> {
  const response = await fetch(`/api/metrics/summary?hours=${hours}`);
  if (!response.ok) throw new Error(`the metrics summary answered ${response.status}`);
  return (await response.json()) as MetricsSummary;
}
