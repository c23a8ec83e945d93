/**
 * The Studio's whole view of the workers (Squoosh style): open an image, ask for a preview with
 * some params, listen to the status. Pool, envelopes, memo and hashing stay behind this file.
 */
import { cacheKeyFromDigest, sha256Hex } from './cacheKey';
import type { RgbaImage } from './kernels/image';
import type { PageReport } from './kernels/page/finder';
import { LruMemo } from './memo';
import { Tickets } from '../lib/latest';
import { planSteps, type PipelineParams, type StepTiming } from './pipeline';
import { defaultPoolSize, SupersededError, WorkerCrashedError, WorkerPool, type PoolEvent, type WorkerLike } from './pool';

export { SupersededError, WorkerCrashedError };
export type { PoolEvent, PoolStatus } from './pool';
export type { PipelineParams, StepTiming, OpName } from './pipeline';
export type { RgbaImage } from './kernels/image';
export type { PageReport } from './kernels/page/finder';
export { PREPROCESSING_ORDER } from './pipeline';
export { decodePhoto, type DecodedPhoto, type DecodeOptions } from './photo';

export interface OpenedImage {
  /** sha256 hex of the bytes as opened: the cache key's image half, computed once. */
  readonly digest: string;
  /** The pixels the workers hold: the image itself, or its proxy at 1/factor of its size. */
  readonly image: RgbaImage;
  readonly factor: number;
  /** The pool's and the memo's name for these pixels: the digest, with the factor for a proxy, so
   *  a proxy preview never shares a cache key with a full-resolution result. */
  readonly id: string;
}

export interface OpenOptions {
  /** `image` is a copy of the bytes' picture scaled by 1/factor (see workers/proxy.ts). */
  factor?: number;
}

export interface Preview {
  image: RgbaImage;
  cacheKey: string;
  taskId: string | null;
  timings: StepTiming[];
  /** From request to result, as the user waits for it. */
  totalMs: number;
  fromMemo: boolean;
  /** What the ops found, by op (crop_document, background_removal: the page), in the input's pixels. */
  reports?: Record<string, PageReport>;
}

/** The reports the steps left with their timings, by op. */
export function reportsOf(timings: StepTiming[]): Record<string, PageReport> {
  const out: Record<string, PageReport> = {};
  for (const t of timings) if (t.report) out[t.op] = t.report;
  return out;
}

export interface PreviewOptions {
  pipelineId?: string;
  /** Latest wins within a channel (one per view); defaults to "studio". */
  channel?: string;
  priority?: number;
  /** false skips the memo (benchmarks that must measure the kernels every time). */
  memo?: boolean;
}

export interface ImageProcessor {
  open(bytes: BufferSource, image: RgbaImage, options?: OpenOptions): Promise<OpenedImage>;
  preview(opened: OpenedImage, params: PipelineParams, options?: PreviewOptions): Promise<Preview>;
  subscribe(listener: (event: PoolEvent) => void): () => void;
  /** A result computed elsewhere (the server) joins the memo under the same cache key, so going
   *  back to those params is instant whichever engine made it. */
  remember(preview: Preview): void;
  recall(cacheKey: string): Preview | undefined;
  readonly poolSize: number;
  dispose(): void;
}

export interface ProcessorOptions {
  createWorker?: () => WorkerLike;
  poolSize?: number;
  memoBudgetBytes?: number;
}

export function createImageProcessor(options: ProcessorOptions = {}): ImageProcessor {
  const createWorker =
    options.createWorker ??
    (() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'ocrp-kernels' }) as unknown as WorkerLike);
  const pool = new WorkerPool(createWorker, options.poolSize ?? defaultPoolSize());
  const memo = new LruMemo<Preview>(options.memoBudgetBytes ?? 512 * 1024 * 1024);
  // Latest wins per channel also across the async hashing step and memo hits, which never
  // reach the pool: a request that is no longer the newest of its channel fails as superseded.
  const channels = new Map<string, Tickets>();
  // The pool keeps the open image's pixels (and each worker a copy): one image at a time.
  let current: string | null = null;

  return {
    poolSize: pool.size,

    async open(bytes, image, openOptions = {}) {
      const digest = await sha256Hex(bytes);
      const factor = openOptions.factor ?? 1;
      const id = factor > 1 ? `${digest}@1/${factor}` : digest;
      if (current !== null && current !== id) pool.removeImage(current);
      current = id;
      pool.addImage(id, { width: image.width, height: image.height, buffer: image.data.slice().buffer });
      return { digest, image, factor, id };
    },

    async preview(opened, params, previewOptions = {}) {
      const t0 = performance.now();
      const pipelineId = previewOptions.pipelineId ?? 'preprocessing';
      const channel = previewOptions.channel ?? 'studio';
      if (!channels.has(channel)) channels.set(channel, new Tickets());
      const ticket = channels.get(channel)!.issue();
      const key = await cacheKeyFromDigest(pipelineId, opened.id, params);
      if (!ticket.current()) throw new SupersededError(`(not started) ${key}`);
      const useMemo = previewOptions.memo ?? true;
      const hit = useMemo ? memo.get(key) : undefined;
      if (hit) {
        // Whatever this channel still has in flight must not paint over the hit.
        pool.cancel(channel);
        return { ...hit, fromMemo: true, totalMs: performance.now() - t0 };
      }
      const steps = planSteps(pipelineId, params);
      const { taskId, done } = pool.run(opened.id, steps, { channel, priority: previewOptions.priority ?? 0 });
      const result = await done;
      if (!ticket.current()) throw new SupersededError(taskId);
      const image: RgbaImage = {
        width: result.image.width,
        height: result.image.height,
        data: new Uint8ClampedArray(result.image.buffer),
      };
      const preview: Preview = {
        image, cacheKey: key, taskId, timings: result.timings, totalMs: performance.now() - t0, fromMemo: false, reports: reportsOf(result.timings),
      };
      if (useMemo) memo.set(key, preview, image.data.byteLength);
      return preview;
    },

    subscribe: (listener) => pool.subscribe(listener),
    remember: (preview) => memo.set(preview.cacheKey, preview, preview.image.data.byteLength),
    recall: (key) => memo.get(key),
    dispose: () => pool.dispose(),
  };
}
