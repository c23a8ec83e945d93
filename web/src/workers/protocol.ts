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
