/** GET /api/metrics/summary: the server's aggregate of the client events (telemetry.py). */
import { getJson } from './http';

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

export const fetchSummary = (hours = 1) => getJson<MetricsSummary>(`/api/metrics/summary?hours=${hours}`);
