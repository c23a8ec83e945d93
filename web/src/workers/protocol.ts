import type { StepTiming, Step } from './pipeline';

/** Every message between the pool and a worker: replies carry the taskId of their request. */
export interface Envelope<T extends string = string, P = unknown> {
  taskId: string;
  type: T;
  payload: P;
}

export interface ImagePayload {
  width: number;
  height: number;
  buffer: ArrayBuffer;
}

/** Requests. `load` parks a source image in the worker (sent once per worker and image), so a
 *  slider move only ships the steps, not 12 MB of pixels. */
export type LoadRequest = Envelope<'load', { imageId: string; image: ImagePayload }>;
export type ForgetRequest = Envelope<'forget', { imageId: string }>;
export type RunRequest = Envelope<'run', { imageId: string; steps: Step[] }>;
export type WorkerRequest = LoadRequest | ForgetRequest | RunRequest;

/** Replies. */
export type RunResult = Envelope<'result', { image: ImagePayload; timings: StepTiming[]; workerMs: number }>;
export type RunError = Envelope<'error', { message: string }>;
export type WorkerReply = RunResult | RunError;

/** The decode worker's request: decode `blob`; with `maxSide`, scale an image whose long side is
 *  over it down by a whole factor (its proxy); `keepBitmap` sends the decoded bitmap back for
 *  display. */
export interface DecodeRequest {
  id: number;
  blob: Blob;
  maxSide?: number;
  keepBitmap?: boolean;
}

export type DecodeReply =
  | { id: number; width: number; height: number; factor: number; image: ImagePayload; bitmap?: ImageBitmap; error?: undefined }
  | { id: number; error: string };
