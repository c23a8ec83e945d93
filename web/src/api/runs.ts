/** Runs: one spec over a dataset (POST /api/runs), their list, state and items, and their
 *  progress on the job WebSocket ({"subscribe": "run-..."}). */
import { fetchOk, getJson, postJson } from './http';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunSpec {
  dataset: string;
  pipeline_id: 'preprocessing' | 'inference';
  params: Record<string, unknown>;
  checkpoint_path?: string | null;
  /** inference only: read each detection's text (params.recognition tunes it). */
  recognizer_path?: string | null;
  gt?: string | null;
  engine?: 'local' | 'ray';
  name?: string | null;
  /** A run imported from a predictions file (no model ran). */
  predictions?: string | null;
}

export interface ProtocolMetrics {
  precision: number;
  recall: number;
  hmean: number;
  gt: number;
  det: number;
}

/** Text metrics of an image or a run (the server's TextMetrics): CER over the lines paired with
 *  the ground truth (null when none was), bag-of-words scores, ICDAR 2015 end to end; with counts. */
export interface TextMetrics {
  cer: number | null;
  lines_matched: number;
  char_edits: number;
  gt_chars: number;
  words: { precision: number; recall: number; f1: number; correct: number; read: number; gt: number };
  end_to_end: { precision: number; recall: number; hmean: number; correct: number; det: number; gt: number };
  case_sensitive: boolean;
}

export interface Run {
  run_id: string;
  name: string | null;
  status: RunStatus;
  spec: RunSpec;
  engine: string;
  total: number;
  done: number;
  failed: number;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  metrics: Record<string, ProtocolMetrics> | null;
  /** From the items' summed counts, in a run that reads text against ground truth with text. */
  text_metrics: TextMetrics | null;
  files: Record<string, string>;
}

export interface RunUpdate {
  run_id: string;
  status: RunStatus;
  done: number;
  failed: number;
  total: number;
  error: string | null;
  /** Present when the message is about a threshold sweep of this run. */
  sweep?: { sweep_id: string; status: 'queued' | 'running' | 'completed' | 'failed'; done: number; failed: number; total: number; error: string | null };
}

export interface Dataset {
  path: string;
  images: number;
  gt: string | null;
}

export const isRunFinished = (s: RunStatus) => s === 'completed' || s === 'failed' || s === 'cancelled';

export const startRun = (spec: RunSpec) => postJson<{ run_id: string; status: RunStatus; total: number }>('/api/runs', spec);
export const listRuns = (limit = 50) => getJson<{ runs: Run[]; next_offset: number | null }>(`/api/runs?limit=${limit}`);
export const fetchRun = (runId: string) => getJson<Run>(`/api/runs/${encodeURIComponent(runId)}`);
export const listDatasets = () => getJson<Dataset[]>('/api/runs/datasets');
export const cancelRun = async (runId: string) =>
  (await fetchOk(`/api/runs/${encodeURIComponent(runId)}`, { method: 'DELETE' })).json() as Promise<Run>;

/** Follow runs on the server's WebSocket; the listener gets each followed run's state at once,
 *  then its progress (a few messages a second at most). Returns a function that closes it. */
export function followRuns(runIds: string[], listener: (update: RunUpdate) => void): () => void {
  if (runIds.length === 0) return () => {};
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/api/pipelines/ws`);
  socket.onopen = () => socket.send(JSON.stringify({ subscribe: runIds }));
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as Partial<RunUpdate>;
    if (message.run_id && message.status) listener(message as RunUpdate);
  };
  return () => socket.close(1000, 'done');
}
