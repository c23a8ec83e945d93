/**
 * The Studio's one entry point for a render: it asks decide() where to run, then either hands
 * the params to the worker pool (scaled for a proxy when the workers hold one) or sends them to
 * the server (preview, then fallback when the server would have left it to the browser), follows
 * the job on the WebSocket, fetches the PNG and memoises it under the same cache key the pool
 * uses. It keeps the timings the routing rules read and emits the telemetry of every step. The
 * Studio sees a result, where it ran and why, never a worker or a socket.
 */
import { announceJob } from '../api/jobAnnounce';
import { jobSocket, untilFinished, type JobSocket } from '../api/jobSocket';
import {
  cancelJob,
  fetchJob,
  fetchResult,
  isFinished,
  requestFallback,
  requestPreview,
  toDataUrl,
  type JobUpdate,
  type PipelineResponse,
  type RoutedBackend,
} from '../api/jobs';
import { track } from '../telemetry';
import type { ClientEvent } from '../telemetry/events';
import { cacheKeyFromDigest } from '../workers/cacheKey';
import { newTaskId } from '../workers/pool';
import { proxyParams } from '../workers/proxy';
import { decodePhoto, SupersededError, type ImageProcessor, type OpenedImage, type PipelineParams, type PoolStatus, type Preview, type RgbaImage } from '../workers';
import { decide, deviceInfo, type Decision, type DeviceInfo, type RuleName } from './decide';

export interface SourceImage {
  /** What the workers hold (the picture, or its proxy) and the digest of the bytes. */
  opened: OpenedImage;
  /** The bytes as opened: hashed for the cache key and uploaded as they are. */
  bytes: Uint8Array;
  /** The picture's full size. */
  width: number;
  height: number;
}

export interface Rendered extends Preview {
  /** Where the pixels came from this time. */
  where: RoutedBackend | 'memo';
  decision: Decision;
  /** The params this picture shows (the workers may have run scaled ones on a proxy). */
  params: PipelineParams;
  /** The picture's size against the full-resolution result's (1: the same size). */
  scale: number;
  /** The proxy factor of the pixels the picture was made from (1: the picture itself). */
  factor: number;
  /** The server's answer, when the server was asked. */
  jobId?: string;
  serverCacheKey?: string;
  notes?: string[];
}

export interface RenderOptions {
  pipelineId?: string;
  forceServer?: boolean;
  /** The client limit on the long side (GET /api/pipelines `client_limits.max_side`). */
  maxSide?: number;
  /** Aborted when newer params supersede this render. A server render that has not gone out is
   *  dropped and one in flight has its job cancelled (latest wins on the server too); a render in
   *  the workers finishes, since its picture is a frame of the drag. */
  signal?: AbortSignal;
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
  cancel: (jobId: string) => Promise<unknown>;
  decode: (blob: Blob) => Promise<RgbaImage>;
}

const realServer: ServerApi = {
  preview: requestPreview,
  fallback: requestFallback,
  result: fetchResult,
  job: fetchJob,
  cancel: cancelJob,
  // In the decode worker: a 12 MP result decoded on the page's thread would block it.
  decode: async (blob) => (await decodePhoto(blob)).image,
};

export interface HybridOptions {
  /** A safety net under the WebSocket: a job is also looked up over HTTP this often, so a socket
   *  that cannot connect at all (a proxy without WebSocket support) does not leave a render hanging. */
  pollMs?: number;
  device?: DeviceInfo;
  /** A server render waits this long for newer params before it goes out, so a drag makes one
   *  job when the slider rests, not one per step. */
  settleMs?: number;
}

export const JOB_POLL_MS = 5000;
export const SERVER_SETTLE_MS = 200;

/** A timing must hold this many runs in a row before work moves on it (the faster of the last
 *  runs is read), so one slow run (a cold JIT, a GC pause, a busy server) does not move it. */
export const SUSTAINED_RUNS = 2;

/** Rules that move work for the browser's comfort, not because it cannot run it: when the server
 *  cannot take such work, the workers still run it. */
const COMFORT_RULES: ReadonlySet<RuleName> = new Set(['device', 'saturated', 'faster-on-server']);

/** The last few values of a series, per image digest. */
class Recent {
  private readonly runs = new Map<string, number[]>();
  add(digest: string, value: number): void {
    this.runs.set(digest, [...(this.runs.get(digest) ?? []), value].slice(-SUSTAINED_RUNS));
  }
  /** The best of the last runs, once there are enough of them. */
  best(digest: string): number | undefined {
    const runs = this.runs.get(digest) ?? [];
    return runs.length >= SUSTAINED_RUNS ? Math.min(...runs) : undefined;
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export class HybridRenderer {
  private status: PoolStatus;
  /** Each op's client times per image digest: the budget rule reads the faster of the last runs. */
  private readonly opMs = new Map<string, Map<string, Recent>>();
  /** Whole renders per image digest, in the browser and on the server (round trip). */
  private readonly clientMs = new Recent();
  private readonly serverMs = new Recent();
  private readonly probed = new Set<string>();
  private readonly upload = new WeakMap<Uint8Array, Promise<string>>();
  private readonly origin = new Map<string, RoutedBackend>();
  private readonly pollMs: number;
  private readonly device: DeviceInfo;
  private readonly settleMs: number;

  constructor(
    private readonly processor: ImageProcessor,
    private readonly socket: JobSocket = jobSocket(),
    private readonly emit: Track = track,
    private readonly server: ServerApi = realServer,
    options: HybridOptions = {},
  ) {
    this.pollMs = options.pollMs ?? JOB_POLL_MS;
    this.device = options.device ?? deviceInfo();
    this.settleMs = options.settleMs ?? SERVER_SETTLE_MS;
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
    const { digest, factor } = source.opened;
    const decision = decide({
      width: source.width,
      height: source.height,
      factor,
      maxSide: options.maxSide,
      params,
      queueDepth: this.status.depth,
      lastOpMs: this.sustainedOpMs(digest),
      clientMs: this.clientMs.best(digest),
      serverMs: this.serverMs.best(digest),
      forceServer: options.forceServer,
      device: this.device,
    });
    if (decision.backend === 'client-workers') {
      const rendered = await this.onClient(source, params, pipelineId, decision, options);
      if (decision.probe && !this.probed.has(digest)) this.probe(source, params, pipelineId);
      return rendered;
    }
    const key = await cacheKeyFromDigest(pipelineId, digest, params);
    const hit = this.processor.recall(key);
    if (hit) {
      this.emit({ type: 'cache', hit: true, layer: 'memo', task_id: hit.taskId ?? undefined });
      return { ...hit, fromMemo: true, totalMs: 0, where: 'memo', decision, params, scale: 1, factor: 1 };
    }
    try {
      return await this.onServer(source, params, pipelineId, key, decision, options);
    } catch (error) {
      // The browser moved this work for its own comfort (a busy queue, a faster server): if the
      // server cannot take it (down, queue full), the workers still can. A forced or hinted
      // render has no such way back, so the user sees why it failed.
      if (error instanceof SupersededError || !COMFORT_RULES.has(decision.rule)) throw error;
      const reason = `The server could not take it (${(error as Error).message}), so the browser's workers ran it after all.`;
      return this.onClient(source, params, pipelineId, { ...decision, backend: 'client-workers', reason }, options);
    }
  }

  /** The full-resolution PNG of these params, made on the server (what Download gives for a
   *  preview made on a proxy): the server's bytes as they are. */
  async fullResolution(source: SourceImage, params: PipelineParams, options: RenderOptions = {}): Promise<{ blob: Blob; jobId: string }> {
    const decision: Decision = { backend: 'server', rule: 'forced', reason: 'The full-resolution result was asked for.', scale: 1 };
    const { answer } = await this.serverJob(source, params, options.pipelineId ?? 'preprocessing', decision, options);
    return { blob: await this.server.result(answer.job_id), jobId: answer.job_id };
  }

  /** Where a memoised result was first made, for the status line. */
  originOf(cacheKey: string): RoutedBackend | undefined {
    return this.origin.get(cacheKey);
  }

  private sustainedOpMs(digest: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [op, runs] of this.opMs.get(digest) ?? []) {
      const best = runs.best(digest);
      if (best !== undefined) out[op] = best;
    }
    return out;
  }

  /** Time the server on the same render without waiting for it or painting it; its PNG joins the
   *  memo, so coming back to these params with the switch on costs nothing. Once per image. */
  private probe(source: SourceImage, params: PipelineParams, pipelineId: string): void {
    this.probed.add(source.opened.digest);
    const decision: Decision = { backend: 'server', rule: 'over-budget', reason: 'Timing the server on the same render.', scale: 1 };
    void cacheKeyFromDigest(pipelineId, source.opened.digest, params)
      .then((key) => this.onServer(source, params, pipelineId, key, decision, {}))
      .catch(() => undefined); // a server that cannot be timed is not taken as faster
  }

  private async onClient(source: SourceImage, params: PipelineParams, pipelineId: string, decision: Decision, options: RenderOptions): Promise<Rendered> {
    const { opened } = source;
    const plan = proxyParams(params, opened.factor, options.maxSide);
    const p = await this.processor.preview(opened, plan.params, { pipelineId });
    const task_id = p.taskId ?? undefined;
    this.emit({ type: 'cache', hit: p.fromMemo, layer: 'memo', task_id });
    if (!p.fromMemo) {
      this.origin.set(p.cacheKey, 'client-workers');
      this.emit({ type: 'routing', routed_backend: 'client-workers', reason: decision.reason, task_id });
      this.emit({ type: 'worker', event: 'idle', task_id });
      const ops = this.opMs.get(opened.digest) ?? new Map<string, Recent>();
      for (const t of p.timings) {
        if (!ops.has(t.op)) ops.set(t.op, new Recent());
        ops.get(t.op)!.add(opened.digest, t.ms);
        this.emit({ type: 'duration', op: t.op, ms: t.ms, backend: 'client-workers', task_id });
      }
      this.opMs.set(opened.digest, ops);
      this.clientMs.add(opened.digest, p.totalMs);
      this.emit({ type: 'duration', op: 'total', ms: p.totalMs, backend: 'client-workers', task_id });
    }
    return { ...p, where: p.fromMemo ? 'memo' : 'client-workers', decision, params, scale: plan.scale, factor: opened.factor };
  }

  private async onServer(
    source: SourceImage,
    params: PipelineParams,
    pipelineId: string,
    key: string,
    decision: Decision,
    options: RenderOptions,
  ): Promise<Rendered> {
    await sleep(this.settleMs, options.signal);
    if (options.signal?.aborted) throw new SupersededError('(a server render, before it was sent)');
    const t0 = performance.now();
    const { answer, taskId, final } = await this.serverJob(source, params, pipelineId, decision, options);
    const image = await this.server.decode(await this.server.result(answer.job_id));
    const totalMs = performance.now() - t0;
    this.serverMs.add(source.opened.digest, totalMs);
    this.emit({ type: 'duration', op: 'total', ms: totalMs, backend: answer.routed_backend, task_id: taskId });
    // What the page ops found rides with the job's state (a reused job's too).
    const report = final?.report ?? (await this.server.job(answer.job_id).catch(() => null))?.report;
    const preview: Preview = { image, cacheKey: key, taskId, timings: [], totalMs, fromMemo: false, reports: report?.ops ?? {} };
    this.processor.remember(preview);
    this.origin.set(key, answer.routed_backend);
    const rendered = { where: answer.routed_backend, decision, params, scale: 1, factor: 1, jobId: answer.job_id, serverCacheKey: answer.cache_key, notes: answer.notes };
    return { ...preview, ...rendered };
  }

  /** Submit the params on the server and follow the job until it is completed. */
  private async serverJob(
    source: SourceImage,
    params: PipelineParams,
    pipelineId: string,
    decision: Decision,
    options: RenderOptions,
  ): Promise<{ answer: PipelineResponse; taskId: string; final?: JobUpdate }> {
    const taskId = `srv-${newTaskId()}`;
    this.emit({ type: 'cache', hit: false, layer: 'memo', task_id: taskId });
    let encoded = this.upload.get(source.bytes);
    if (encoded === undefined) {
      encoded = toDataUrl(source.bytes);
      this.upload.set(source.bytes, encoded);
    }
    const image_base64 = await encoded;
    const body = { pipeline_id: pipelineId, params, image_base64, task_id: taskId };
    let answer = await this.server.preview(body);
    // The server routes by its own rules (size, hint); for the browser's own reasons (the switch,
    // a saturated queue, a faster server, a download) it says client-workers: run it anyway.
    if (answer.routed_backend === 'client-workers') answer = await this.server.fallback(body);
    this.emit({ type: 'routing', routed_backend: answer.routed_backend, reason: decision.reason, task_id: taskId });
    announceJob(answer.job_id);
    if (answer.status === 'completed') return { answer, taskId };
    const final = await this.follow(answer, taskId, options);
    if (final.status !== 'completed') throw new Error(`the server job ${answer.job_id} ended ${final.status}${final.error ? `: ${final.error}` : ''}`);
    return { answer, taskId, final };
  }

  /** The job's final state, from the WebSocket or (as a safety net) HTTP. Superseded first: the
   *  job is cancelled when this render created it (another request may have joined it). */
  private async follow(answer: PipelineResponse, taskId: string, options: RenderOptions): Promise<JobUpdate> {
    const jobId = answer.job_id;
    // The task id of the request that made the job, as the server reports it.
    let maker: string | null | undefined;
    const { done, stop } = untilFinished(this.socket, jobId, (u) => {
      maker = u.task_id;
      options.onServerUpdate?.(u, answer);
    });
    let poll: ReturnType<typeof setInterval> | undefined;
    const polled = new Promise<JobUpdate>((resolve) => {
      poll = setInterval(() => {
        this.server
          .job(jobId)
          .then((job) => {
            maker = job.task_id;
            if (isFinished(job.status)) resolve(job);
          })
          .catch(() => undefined);
      }, this.pollMs);
    });
    let onAbort = () => {};
    const superseded = new Promise<never>((_, reject) => {
      onAbort = () => {
        const made = maker !== undefined ? Promise.resolve(maker) : this.server.job(jobId).then((job) => job.task_id);
        // A job that finished meanwhile answers 409: nothing to cancel.
        void made.then((id) => (id === taskId ? this.server.cancel(jobId) : undefined)).catch(() => undefined);
        reject(new SupersededError(taskId));
      };
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort);
    });
    try {
      return await Promise.race([done, polled, superseded]);
    } finally {
      clearInterval(poll);
      options.signal?.removeEventListener('abort', onAbort);
      stop();
    }
  }
}

let shared: HybridRenderer | null = null;

export function getHybrid(processor: ImageProcessor): HybridRenderer {
  shared ??= new HybridRenderer(processor);
  return shared;
}
