/** The Evaluation Lab's routes: a run's items and their marks, comparisons, sweeps, exports. */
import type { Point } from './inference';
import { getJson, postJson } from './http';
import type { TextMetrics } from './runs';

export type Protocol = 'icdar2015-iou' | 'deteval';
export const PROTOCOLS: Protocol[] = ['icdar2015-iou', 'deteval'];
export const PROTOCOL_LABEL: Record<Protocol, string> = { 'icdar2015-iou': 'ICDAR 2015 IoU', deteval: 'DetEval' };

/** One image's scores under one protocol. More metrics (e.g. recognition's) arrive as more keys:
 *  the table shows every numeric key it finds, so a new metric is data, not a new code path. */
export type ImageMetrics = Record<string, number>;

export interface Item {
  name: string;
  status: 'completed' | 'failed';
  error: string | null;
  cache_key: string | null;
  width: number | null;
  height: number | null;
  detections: number | null;
  timings: Record<string, number>;
  metrics: Record<string, ImageMetrics> | null;
  /** In a run that reads text, against ground truth with text. */
  text_metrics: TextMetrics | null;
  reused: boolean;
}

export type DetMatch = 'tp' | 'fp' | 'ignored';
export type GtMatch = 'tp' | 'fn' | 'dont_care';

/** GET /api/runs/{id}/items/{name}: `detections` is the list there (the count is in the page's items). */
export type ItemDetail = Omit<Item, 'detections'> & {
  protocol: Protocol;
  /** In a run that reads text: `text`, `textScore`, and `gt_text`, the ground-truth line its CER
   *  compares it with (null: none paired). */
  detections: { points: Point[]; score: number; match?: DetMatch; text?: string; textScore?: number; gt_text?: string | null }[];
  ground_truth: { points: Point[]; text: string | null; match?: GtMatch }[];
};

export type ItemFilter = 'failed' | 'misses' | 'false_detections' | 'misread';
export type SortKey = string;

export interface ItemQuery {
  sort: SortKey;
  order: 'asc' | 'desc';
  protocol: Protocol;
  filter: ItemFilter | null;
  limit: number;
  offset: number;
}

const enc = encodeURIComponent;
const path = (name: string) => name.split('/').map(enc).join('/');

function qs(query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined) params.set(k, String(v));
  return params.toString();
}

export const fetchItems = (runId: string, q: ItemQuery) =>
  getJson<{ items: Item[]; total: number }>(`/api/runs/${enc(runId)}/items?${qs({ ...q })}`);

export const fetchItem = (runId: string, name: string, protocol: Protocol) =>
  getJson<ItemDetail>(`/api/runs/${enc(runId)}/items/${path(name)}?${qs({ protocol })}`);

export interface Histogram {
  bins: { lo: number; hi: number; count: number }[];
  scored: number;
  failed: number;
}

export const fetchHistogram = (runId: string, protocol: Protocol, bins = 10) =>
  getJson<Histogram>(`/api/runs/${enc(runId)}/histogram?${qs({ protocol, bins })}`);

/** The image the run read; with `maxSide`, a JPEG thumbnail (with the marks of `marks`). */
export function itemImageUrl(runId: string, name: string, opts: { maxSide?: number; marks?: Protocol } = {}): string {
  const query = qs({ max_side: opts.maxSide, marks: opts.marks });
  return `/api/runs/${enc(runId)}/images/${path(name)}${query ? `?${query}` : ''}`;
}

export const itemsCsvUrl = (runId: string, protocol: Protocol, filter: ItemFilter | null, sort: string, order: string) =>
  `/api/runs/${enc(runId)}/items.csv?${qs({ protocol, filter, sort, order })}`;

// --- compare ----------------------------------------------------------------------------------

/** What a comparison decides on: detection (under the protocol) or text (runs that read it). */
export type CompareMetric = 'hmean' | 'word_f1' | 'cer' | 'e2e_hmean';

/** A run's aggregates in a comparison: every measure of the compared family (null: no value, e.g.
 *  the CER of no matched line) and the summed counts. */
export interface Aggregate {
  run_id: string;
  name: string | null;
  [measureOrCount: string]: number | string | null;
}

export interface Comparison {
  protocol: Protocol;
  metric: CompareMetric;
  family: 'detection' | 'text';
  shared: { images: number; only_a: number; only_b: number; note: string | null };
  images: number;
  a: Aggregate;
  b: Aggregate;
  delta: Record<string, number | null>;
  ci95: Record<string, [number | null, number | null]>;
  resamples: number;
  seed: number;
  verdict: string;
  fixed: string[];
  broke: string[];
  per_image: { name: string; a: number | null; b: number | null }[];
}

export const compareRuns = (a: string, b: string, protocol: Protocol, metric: CompareMetric = 'hmean') =>
  getJson<Comparison>(`/api/runs/compare?${qs({ a, b, protocol, metric })}`);
export const compareCsvUrl = (a: string, b: string, protocol: Protocol, metric: CompareMetric = 'hmean') =>
  `/api/runs/compare.csv?${qs({ a, b, protocol, metric })}`;
export const compareReportUrl = (a: string, b: string, protocol: Protocol, metric: CompareMetric = 'hmean') =>
  `/api/runs/compare/report?${qs({ a, b, protocol, metric })}`;

// --- sweep ------------------------------------------------------------------------------------

export interface Grid {
  thresh: number[];
  boxThresh: number[];
  unclipRatio: number[];
}

export interface SweepPoint {
  thresh: number;
  boxThresh: number;
  unclipRatio: number;
  precision?: number;
  recall?: number;
  hmean?: number;
  protocols: Record<string, { precision: number; recall: number; hmean: number }>;
}

export type SweepStatus = 'queued' | 'running' | 'completed' | 'failed';
/** GET .../sweep of a run never swept: status 'none', no points. */
export type SweepOrNone = Sweep | { run_id: string; status: 'none'; points: []; best: Record<string, never> };

export interface Sweep {
  sweep_id: string;
  run_id: string;
  status: SweepStatus;
  total: number;
  done: number;
  failed: number;
  model_calls: number;
  error: string | null;
  protocol: Protocol;
  grid: Grid;
  points: SweepPoint[];
  best: Record<string, SweepPoint & { precision: number; recall: number; hmean: number }>;
}

export const startSweep = (runId: string, grid: Grid | null) =>
  postJson<{ sweep_id: string; status: SweepStatus; total: number }>(`/api/runs/${enc(runId)}/sweep`, grid ? { grid } : {});
export const fetchSweep = (runId: string, protocol: Protocol) => getJson<SweepOrNone>(`/api/runs/${enc(runId)}/sweep?${qs({ protocol })}`);
export const saveDefaults = (runId: string, protocol: Protocol) =>
  postJson<{ checkpoint_path: string; sidecar: string; detection: Record<string, number> }>(
    `/api/runs/${enc(runId)}/sweep/defaults`,
    { protocol },
  );
