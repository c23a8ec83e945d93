/** The server half of the hybrid routing: preview, fallback, jobs, results, cancel. Every call
 *  carries the task_id the browser made up, which the server echoes everywhere. */
import { fetchOk, getJson, postJson } from './http';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type RoutedBackend = 'client-workers' | 'server-rembg' | 'server-pipeline' | 'server-inference' | 'server-cache';

/** What a page op found, as the server reports it (the same shape as the workers' PageReport). */
export interface OpReport {
  quad: [number, number][] | null;
  confidence: number;
  note?: string;
}

export interface PipelineRequest {
  pipeline_id: string;
  params: Record<string, unknown>;
  image_base64?: string;
  image_path?: string;
  checkpoint_path?: string;
  task_id?: string;
}

export interface PipelineResponse {
  status: 'accepted' | JobStatus;
  job_id: string;
  routed_backend: RoutedBackend;
  cache_key: string;
  result_path: string | null;
  task_id: string | null;
  error: string | null;
  notes: string[];
}

export interface Job {
  job_id: string;
  pipeline_id: string;
  cache_key: string;
  /** The params as sent, the checkpoint of an inference job, the source image's file name
   *  ('upload' for bytes sent with the request). */
  params?: unknown;
  checkpoint_path?: string | null;
  source_name?: string;
  status: JobStatus;
  progress: number;
  result_path: string | null;
  task_id: string | null;
  error: string | null;
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** What the ops found: {ops: {crop_document: {quad, confidence, note?}}} (null until completed). */
  report?: { ops?: Record<string, OpReport> } | null;
  notes?: string[];
}

/** One WebSocket message: a job's state (or, with `detail`, a refusal about it). */
export interface JobUpdate {
  job_id: string;
  status: JobStatus;
  progress: number;
  result_path: string | null;
  task_id: string | null;
  error: string | null;
  report?: { ops?: Record<string, OpReport> } | null;
  notes?: string[];
}

export const isFinished = (status: string): boolean => status === 'completed' || status === 'failed' || status === 'cancelled';

const post = <T>(url: string, body: unknown) => postJson<T>(url, body);

export const requestPreview = (body: PipelineRequest) => post<PipelineResponse>('/api/pipelines/preview', body);

export const requestFallback = (body: PipelineRequest & { wait?: boolean }) => post<PipelineResponse>('/api/pipelines/fallback', body);

export const fetchJob = (jobId: string) => getJson<Job>(`/api/pipelines/jobs/${encodeURIComponent(jobId)}`);

export const listJobs = (limit = 50, offset = 0) => getJson<Job[]>(`/api/pipelines/jobs?limit=${limit}&offset=${offset}`);

export const sourceUrl = (jobId: string) => `/api/pipelines/jobs/${encodeURIComponent(jobId)}/source`;

export const cancelJob = (jobId: string) => getJson<Job>(`/api/pipelines/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' });

export const resultUrl = (jobId: string) => `/api/pipelines/jobs/${encodeURIComponent(jobId)}/result`;

export async function fetchResult(jobId: string): Promise<Blob> {
  return (await fetchOk(resultUrl(jobId))).blob();
}

/** The bytes as a data: URL (the API takes one as image_base64). The browser's FileReader encodes
 *  off the page's thread: a phone photo's 3 MB in btoa would block it for about 100 ms. */
export function toDataUrl(bytes: Uint8Array): Promise<string> {
  if (typeof FileReader === 'undefined') return Promise.resolve(`data:application/octet-stream;base64,${toBase64(bytes)}`);
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the image bytes'));
    reader.readAsDataURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  });
}

/** Base64 of the bytes, in chunks (String.fromCharCode on megabytes at once overflows the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
