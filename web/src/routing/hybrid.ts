/**
 * The Studio's one entry point for a render: it asks decide() where to run, then either hands
 * the params to the worker pool or sends them to the server (preview, then fallback when the
 * server would have left it to the browser), follows the job on the WebSocket, fetches the PNG
 * and memoises it under the same cache key the pool uses. It also emits the telemetry of every
 * step. The Studio sees a result, where it ran and why, never a worker or a socket.
 */
import { announceJob } from '../api/jobAnnounce';
import { jobSocket, untilFinished, type JobSocket } from '../api/jobSocket';
import { fetchJob, fetchResult, isFinished, requestFallback, requestPreview, toBase64, type JobUpdate, type PipelineResponse, type RoutedBackend } from '../api/jobs';
import { decodeImage } from '../lib/decode';
import { track } from '../telemetry';
import type { ClientEvent } from '../telemetry/events';
import { cacheKeyFromDigest } from '../workers/cacheKey';
import { newTaskId } from '../workers/pool';
import type { ImageProcessor, OpenedImage, PipelineParams, PoolStatus, Preview, RgbaImage } from '../workers';
import { decide, deviceInfo, type Decision, type DeviceInfo, type RuleName } from './decide';

export interface SourceImage {
  opened: OpenedImage;
  /** The bytes as opened: hashed for the cache key and uploaded as they are. */
  bytes: Uint8Array;
}

export interface Rendered extends Preview {
  /** Where the pixels came from this time. */
  where: RoutedBackend | 'memo';
  decision: Decision;
  /** The server's answer, when the server was asked. */
  jobId?: string;
  serverCacheKey?: string;
  notes?: string[];
}

export interface RenderOptions {
  pipelineId?: string;
  forceServer?: boolean;
  /** Progress of a server job, for the status line. */
  onServerUpdate?: (update: JobUpdate, response: PipelineResponse) => void;
}

type Track = (event: ClientEvent) => void;

/** The server calls and the PNG decoder, injectable so the unit tests run without a server. */
export interface ServerApi {
  preview: typeof requestPreview;
  fallback: typeof requestFallback;
  result: (jobId: string) => Promise<Blob>;
  job: typeof fetchJob;
  decode: (blob: Blob) => Promise<RgbaImage>;
}

const realServer: ServerApi = { preview: requestPreview, fallback: requestFallback, result: fetchResult, job: fetchJob, decode: decodeImage };

/** A safety net under the WebSocket: a job is also looked up over HTTP this often, so a socket
 *  that cannot connect at all (a proxy without WebSocket support) does not leave a render hanging. */
export const JOB_POLL_MS = 5000;

/** An op must be over its budget this many runs in a row before renders using it move. */
export const SUSTAINED_RUNS = 2;

/** Rules that move work for the browser's comfort, not because it cannot run it: when the server
 *  cannot take such work, the workers still run it. */
const COMFORT_RULES: ReadonlySet<RuleName> = new Set(['device', 'saturated', 'over-budget']);

export class HybridRenderer {
  private status: PoolStatus;
  /** The last two client timings of each op, per image digest: the over-budget rule reads the
   *  faster of them, so one slow run (a cold JIT, a GC pause) does not move work to the server. */
  private readonly opMs = new Map<string, Record<string, number[]>>();
  private readonly base64 = new WeakMap<Uint8Array, string>();
  private readonly origin = new Map<string, RoutedBackend>();

  constructor(
    private readonly processor: ImageProcessor,
    private readonly socket: JobSocket = jobSocket(),
    private readonly emit: Track = track,
    private readonly server: ServerApi = realServer,
    private readonly pollMs: number = JOB_POLL_MS,
    private readonly device: DeviceInfo = deviceInfo(),
  ) {
    this.status = { size: processor.poolSize, queued: 0, running: 0, depth: 0 };
    emit({ type: 'worker', event: 'spawn', detail: `pool of ${processor.poolSize}` });
    processor.subscribe((event) => {
      if (event.kind === 'status') {
        this.status = event.status;
        emit({ type: 'queue_depth', depth: event.status.depth });
      } else if (event.kind === 'crash') {
        emit({ type: 'worker', event: 'crash', task_id: event.taskId ?? undefined, detail: event.message.slice(0, 500) });
      } else if (event.kind === 'abort') {
        emit({ type: 'worker', event: 'terminate', task_id: event.taskId, detail: 'superseded while running' });
      }
    });
  }

  async render(source: SourceImage, params: PipelineParams, options: RenderOptions = {}): Promise<Rendered> {
    const pipelineId = options.pipelineId ?? 'preprocessing';
    const { opened, bytes } = source;
    const decision = decide({
      bytes: bytes.byteLength,
      width: opened.image.width,
      height: opened.image.height,
      params,
      queueDepth: this.status.depth,
      lastOpMs: this.sustainedOpMs(opened.digest),
      forceServer: options.forceServer,
      device: this.device,
    });
    if (decision.backend === 'client-workers') return this.onClient(source, params, pipelineId, decision);
    const key = await cacheKeyFromDigest(pipelineId, opened.digest, params);
    const hit = this.processor.recall(key);
    if (hit) {
      this.emit({ type: 'cache', hit: true, layer: 'memo', task_id: hit.taskId ?? undefined });
      return { ...hit, fromMemo: true, totalMs: 0, where: 'memo', decision };
    }
    try {
      return await this.onServer(source, params, pipelineId, key, decision, options);
    } catch (error) {
      // The browser moved this work for its own comfort (a busy queue, a slow op): if the server
      // cannot take it (down, queue full), the workers still can. A forced, hinted or oversized
      // render has no such way back, so the user sees why it failed.
      if (!COMFORT_RULES.has(decision.rule)) throw error;
      const reason = `The server could not take it (${(error as Error).message}), so the browser's workers ran it after all.`;
      return this.onClient(source, params, pipelineId, { backend: 'client-workers', rule: decision.rule, reason });
    }
  }

  private sustainedOpMs(digest: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [op, runs] of Object.entries(this.opMs.get(digest) ?? {})) {
      if (runs.length >= SUSTAINED_RUNS) out[op] = Math.min(...runs);
    }
    return out;
  }

  /** Where a memoised result was first made, for the status line. */
  originOf(cacheKey: string): RoutedBackend | undefined {
    return this.origin.get(cacheKey);
  }

  private async onClient(source: SourceImage, params: PipelineParams, pipelineId: string, decision: Decision): Promise<Rendered> {
    const p = await this.processor.preview(source.opened, params, { pipelineId });
    const task_id = p.taskId ?? undefined;
    this.emit({ type: 'cache', hit: p.fromMemo, layer: 'memo', task_id });
    if (!p.fromMemo) {
      this.origin.set(p.cacheKey, 'client-workers');
      this.emit({ type: 'routing', routed_backend: 'client-workers', reason: decision.reason, task_id });
      this.emit({ type: 'worker', event: 'idle', task_id });
      const seen = { ...(this.opMs.get(source.opened.digest) ?? {}) };
      for (const t of p.timings) {
        seen[t.op] = [...(seen[t.op] ?? []), t.ms].slice(-SUSTAINED_RUNS);
        this.emit({ type: 'duration', op: t.op, ms: t.ms, backend: 'client-workers', task_id });
      }
      this.opMs.set(source.opened.digest, seen);
      this.emit({ type: 'duration', op: 'total', ms: p.totalMs, backend: 'client-workers', task_id });
    }
    return { ...p, where: p.fromMemo ? 'memo' : 'client-workers', decision };
  }

  private async onServer(
    source: SourceImage,
    params: PipelineParams,
    pipelineId: string,
    key: string,
    decision: Decision,
    options: RenderOptions,
  ): Promise<Rendered> {
    const t0 = performance.now();
    const taskId = `srv-${newTaskId()}`;
    this.emit({ type: 'cache', hit: false, layer: 'memo', task_id: taskId });
    let image_base64 = this.base64.get(source.bytes);
    if (image_base64 === undefined) {
      image_base64 = toBase64(source.bytes);
      this.base64.set(source.bytes, image_base64);
    }
    const body = { pipeline_id: pipelineId, params, image_base64, task_id: taskId };
    let answer = await this.server.preview(body);
    // The server routes by its own rules (size, hint); for the browser's own reasons (the switch,
    // a saturated queue, a slow op) it says client-workers, so ask it to run the job anyway.
    if (answer.routed_backend === 'client-workers') answer = await this.server.fallback(body);
    this.emit({ type: 'routing', routed_backend: answer.routed_backend, reason: decision.reason, task_id: taskId });
    announceJob(answer.job_id);
    let final: JobUpdate | null = null;
    if (answer.status !== 'completed') {
      const { done, stop } = untilFinished(this.socket, answer.job_id, (u) => options.onServerUpdate?.(u, answer));
      const jobId = answer.job_id;
      let poll: ReturnType<typeof setInterval> | undefined;
      const polled = new Promise<JobUpdate>((resolve) => {
        poll = setInterval(() => {
          this.server
            .job(jobId)
            .then((job) => {
              if (isFinished(job.status)) resolve(job);
            })
            .catch(() => undefined);
        }, this.pollMs);
      });
      try {
        final = await Promise.race([done, polled]);
      } finally {
        clearInterval(poll);
        stop();
      }
      if (final.status !== 'completed') throw new Error(`the server job ${answer.job_id} ended ${final.status}${final.error ? `: ${final.error}` : ''}`);
    }
    const image = await this.server.decode(await this.server.result(answer.job_id));
    const totalMs = performance.now() - t0;
    this.emit({ type: 'duration', op: 'total', ms: totalMs, backend: answer.routed_backend, task_id: taskId });
    // What the page ops found rides with the job's state (a reused job's too).
    const report = final?.report ?? (await this.server.job(answer.job_id).catch(() => null))?.report;
    const preview: Preview = { image, cacheKey: key, taskId, timings: [], totalMs, fromMemo: false, reports: report?.ops ?? {} };
    this.processor.remember(preview);
    this.origin.set(key, answer.routed_backend);
    return { ...preview, where: answer.routed_backend, decision, jobId: answer.job_id, serverCacheKey: answer.cache_key, notes: answer.notes };
  }
}

let shared: HybridRenderer | null = null;

export function getHybrid(processor: ImageProcessor): HybridRenderer {
  shared ??= new HybridRenderer(processor);
  return shared;
}
