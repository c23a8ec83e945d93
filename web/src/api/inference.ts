/** The InferenceEngine's routes (/api/inference). The server detects; the page draws and exports. */
import type { JsonSchema } from './client';
import { getJson, postJson } from './http';

export interface ModelProfile {
  name: string;
  limitSideLen: number;
  limitType: 'max' | 'min';
  multiple: number;
  mean: number[];
  std: number[];
  channelOrder: 'RGB' | 'BGR';
  source: string;
  /** Detection thresholds tuned for this model (its sidecar's), used where a request sets none. */
  detection?: Record<string, number> | null;
}

export interface CheckpointEntry {
  /** What to send back as `checkpoint_path` (relative to the checkpoints root, or `builtin:...`). */
  checkpoint_path: string;
  display_name: string;
  format: 'onnx' | 'training';
  status: 'ready' | 'not_loadable';
  /** The server's sentence on why a checkpoint cannot be used (e.g. a `.ckpt` is never unpickled). */
  reason: string | null;
  size_bytes: number;
  modified: string;
  profile: ModelProfile | null;
}

export type Point = [number, number];

export interface Detection {
  /** Polygon in ORIGINAL image pixels (preprocessing such as resize is already undone). */
  points: Point[];
  score: number;
  /** The text read, when a recognizer was chosen ('' when it could not be read). */
  text?: string | null;
  textScore?: number | null;
}

export interface RecognizerEntry {
  /** What to send as `recognizer_path` (e.g. `builtin:ppocrv4-rec`). */
  recognizer_path: string;
  display_name: string;
}

export interface ImageSize {
  width: number;
  height: number;
}

export interface PreviewResponse {
  checkpoint_path: string;
  recognizer_path?: string | null;
  detections: Detection[];
  image: ImageSize;
  /** decode_ms, preprocess_ms, inference_ms, postprocess_ms, total_ms; map_cached (bool). */
  timings: Record<string, number | boolean>;
  task_id: string | null;
  /** Set when a finished run's item answered ('run-…/name'): the model did not run. */
  reused_from?: string | null;
}

/** A preprocessing op is `true` (on, with the server's defaults); off ops are left out. */
export type DetectionValues = Record<string, unknown>;
export interface InferenceParams {
  [op: string]: unknown;
  detection: DetectionValues;
}

export type ImageRef = { image_path: string } | { image_base64: string };

export type PreviewRequest = ImageRef & {
  checkpoint_path: string;
  recognizer_path?: string;
  params: InferenceParams;
  task_id?: string;
};

/** The checkpoints, and the folder they are looked for in (the server's --checkpoints-root). */
export const fetchCheckpoints = () => getJson<{ checkpoints: CheckpointEntry[]; root: string }>('/api/inference/checkpoints');

export interface InferenceSchema {
  /** The `params.detection` thresholds as one JSON Schema object (properties → sliders). */
  detection: JsonSchema;
  /** Preprocessing ops detection refuses (their geometry cannot be undone on the detections). */
  refused_ops: string[];
}

export async function fetchRecognizers(): Promise<RecognizerEntry[]> {
  return (await getJson<{ recognizers: RecognizerEntry[] }>('/api/inference/recognizers')).recognizers;
}

export const fetchInferenceSchema = () => getJson<InferenceSchema>('/api/inference/schema');

export const postPreview = (body: PreviewRequest, signal?: AbortSignal) =>
  postJson<PreviewResponse>('/api/inference/preview', body, signal);
