import { describe, expect, it, vi } from 'vitest';
import { JobSocket, type SocketLike } from '../api/jobSocket';
import type { Job, PipelineRequest, PipelineResponse } from '../api/jobs';
import { HybridRenderer, type ServerApi } from '../routing/hybrid';
import type { ClientEvent } from '../telemetry/events';
import { cacheKey, sha256Hex } from '../workers/cacheKey';
import { SupersededError, type ImageProcessor, type PoolEvent, type Preview } from '../workers';

const BYTES = new TextEncoder().encode('not really a jpeg');
const tiny = { width: 2, height: 1, data: new Uint8ClampedArray(8) };

/** A processor whose pool is never used on the server path; it only keeps the memo. */
function fakeProcessor() {
  const memo = new Map<string, Preview>();
  let listener: ((e: PoolEvent) => void) | null = null;
  const processor: ImageProcessor = {
    poolSize: 1,
    open: vi.fn(),
    preview: vi.fn(async (_o, _p) => ({ image: tiny, cacheKey: 'k', taskId: 't-client', timings: [{ op: 'grayscale', ms: 3 }], totalMs: 4, fromMemo: false }) as Preview),
    subscribe: (l) => {
      listener = l;
      return () => {};
    },
    remember: (p) => memo.set(p.cacheKey, p),
    recall: (k) => memo.get(k),
    dispose: () => {},
  };
  return { processor, memo, pool: (e: PoolEvent) => listener?.(e) };
}

function answer(req: PipelineRequest, key: string, routed: PipelineResponse['routed_backend'], status: PipelineResponse['status']): PipelineResponse {
  return { status, job_id: 'preprocessing-0123456789ab', routed_backend: routed, cache_key: key, result_path: null, task_id: req.task_id ?? null, error: null, notes: [] };
}

/** The test image as the Studio holds it: its digest, and pixels at 1/factor of its size. */
async function sourceOf(width: number, height: number, factor = 1) {
  const digest = await sha256Hex(BYTES);
  const image = { width: Math.round(width / factor), height: Math.round(height / factor), data: new Uint8ClampedArray(0) };
  return { opened: { digest, image, factor, id: factor > 1 ? `${digest}@1/${factor}` : digest }, bytes: BYTES, width, height };
}

async function setup(routed: PipelineResponse['routed_backend']) {
  const params = { grayscale: {} };
  const key = await cacheKey('preprocessing', BYTES, params);
  const { processor, memo, pool } = fakeProcessor();
  const events: ClientEvent[] = [];
  const calls: string[] = [];
  const server: ServerApi = {
    preview: vi.fn(async (req) => {
      calls.push('preview');
      return answer(req, key, routed, routed === 'server-cache' ? 'completed' : 'accepted');
    }),
    fallback: vi.fn(async (req) => {
      calls.push('fallback');
      return answer(req, key, 'server-pipeline', 'completed');
    }),
    result: vi.fn(async () => new Blob(['png'])),
    cancel: vi.fn(async () => undefined),
    job: vi.fn(async () => ({ ...answer({ pipeline_id: 'preprocessing', params }, key, routed, 'completed'), status: 'completed', progress: 1, pipeline_id: 'preprocessing', attempts: 1, created_at: 0, started_at: 0, finished_at: 1 }) as unknown as Job),
    decode: vi.fn(async () => tiny),
  };
  const socket = new JobSocket({ url: 'ws://x', createSocket: () => ({}) as SocketLike });
  const hybrid = new HybridRenderer(processor, socket, (e) => events.push(e), server, { settleMs: 0 });
  const source = await sourceOf(640, 480);
  return { hybrid, source, params, key, events, calls, memo, server, processor, pool, socket };
}

describe('HybridRenderer', () => {
  it('keeps a small image in the workers and reports durations, memo and routing with the taskId', async () => {
    const { hybrid, source, params, events, processor } = await setup('server-pipeline');
    const r = await hybrid.render(source, params);
    expect(processor.preview).toHaveBeenCalled();
    expect(r.where).toBe('client-workers');
    expect(events).toContainEqual(expect.objectContaining({ type: 'routing', routed_backend: 'client-workers', task_id: 't-client' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'duration', op: 'grayscale', ms: 3, backend: 'client-workers' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'cache', hit: false, layer: 'memo' }));
  });

  it('asks for the fallback when the server would leave the work to the browser, with the same key and a task id', async () => {
    const { hybrid, source, params, key, calls, memo, server, events } = await setup('client-workers');
    const r = await hybrid.render(source, params, { forceServer: true });
    expect(calls).toEqual(['preview', 'fallback']);
    const sent = vi.mocked(server.fallback).mock.calls[0][0];
    expect(sent.task_id).toMatch(/^srv-/);
    expect(sent.params).toEqual(params);
    expect(atob(sent.image_base64!.split(',')[1])).toBe('not really a jpeg');
    expect(r).toMatchObject({ where: 'server-pipeline', cacheKey: key, serverCacheKey: key, jobId: 'preprocessing-0123456789ab' });
    expect(r.decision.rule).toBe('forced');
    expect(memo.get(key)?.image).toBe(tiny); // memoised under the client's key
    expect(events).toContainEqual(expect.objectContaining({ type: 'routing', routed_backend: 'server-pipeline', reason: 'You switched on "Run on server".' }));
  });

  it('takes a server-cache answer as it is, and the next render of the same params is a memo hit', async () => {
    const { hybrid, source, params, calls } = await setup('server-cache');
    expect((await hybrid.render(source, params, { forceServer: true })).where).toBe('server-cache');
    expect(calls).toEqual(['preview']);
    const again = await hybrid.render(source, params, { forceServer: true });
    expect(again.where).toBe('memo');
    expect(hybrid.originOf(again.cacheKey)).toBe('server-cache');
    expect(calls).toEqual(['preview']);
  });

  it('times the server in the background when an op is over budget twice, and moves only when the server is faster', async () => {
    const { hybrid, source, processor, server } = await setup('client-workers');
    vi.mocked(processor.preview).mockImplementation(async () => ({ image: tiny, cacheKey: 'k', taskId: 't', timings: [{ op: 'blur', ms: 80, engine: 'simd' }], totalMs: 80, fromMemo: false }));
    const params = { blur: { kernelSize: 5 } };
    expect((await hybrid.render(source, params)).decision.rule).toBe('within-limits');
    expect((await hybrid.render(source, params)).decision.rule).toBe('within-limits');
    const third = await hybrid.render(source, params);
    expect(third.decision).toMatchObject({ rule: 'over-budget', probe: true });
    expect(third.where).toBe('client-workers'); // the user never waits on the probe
    await vi.waitFor(() => expect(server.fallback).toHaveBeenCalledTimes(1));
    // One server time is not enough (SUSTAINED_RUNS); the probe runs once per image.
    expect((await hybrid.render(source, params)).decision.rule).toBe('over-budget');
    await new Promise((r) => setTimeout(r, 5));
    expect(server.fallback).toHaveBeenCalledTimes(1);
  });

  it('moves to the server when it is measured faster and back when it no longer is', async () => {
    const { hybrid, source, processor, server } = await setup('client-workers');
    let clientMs = 80;
    let serverDelay = 0;
    vi.mocked(processor.preview).mockImplementation(async () => ({ image: tiny, cacheKey: 'k', taskId: 't', timings: [{ op: 'blur', ms: clientMs, engine: 'simd' }], totalMs: clientMs, fromMemo: false }));
    vi.mocked(server.decode).mockImplementation(async () => {
      await new Promise((r) => setTimeout(r, serverDelay));
      return tiny;
    });
    const render = (k: number, forceServer = false) => hybrid.render(source, { blur: { kernelSize: k } }, { forceServer });
    await render(3);
    await render(5);
    await render(7, true); // server renders are timed too (forced ones included)
    await render(9, true);
    const moved = await render(11);
    expect(moved.decision.rule).toBe('faster-on-server');
    expect(moved.where).toBe('server-pipeline');
    serverDelay = 150; // the server gets slower than the browser's 80 ms
    await render(13);
    await render(15);
    const back = await render(17);
    expect(back.decision.rule).toBe('slower-on-server');
    expect(back.where).toBe('client-workers');
    expect(back.decision.reason).toMatch(/but the server took 1\d\d ms \(the browser 80 ms a render\)/);
  });

  it('drops a server render superseded before it goes out, and cancels the job of one in flight', async () => {
    const { processor, server, events, socket, source, params } = await setup('server-pipeline');
    const hybrid = new HybridRenderer(processor, socket, (e) => events.push(e), server, { settleMs: 50 });
    const early = new AbortController();
    const dropped = hybrid.render(source, params, { forceServer: true, signal: early.signal });
    early.abort();
    await expect(dropped).rejects.toBeInstanceOf(SupersededError);
    expect(server.preview).not.toHaveBeenCalled(); // no job for a step of the drag

    const late = new AbortController();
    vi.mocked(server.job).mockImplementation(async () => ({ job_id: 'preprocessing-0123456789ab', status: 'running', task_id: vi.mocked(server.preview).mock.calls[0][0].task_id }) as unknown as Job);
    const inFlight = hybrid.render(source, params, { forceServer: true, signal: late.signal });
    await vi.waitFor(() => expect(server.preview).toHaveBeenCalled());
    late.abort();
    await expect(inFlight).rejects.toBeInstanceOf(SupersededError);
    await vi.waitFor(() => expect(server.cancel).toHaveBeenCalledWith('preprocessing-0123456789ab'));
  });

  it('leaves a joined job alone: another request made it', async () => {
    const { processor, server, socket, source, params } = await setup('server-pipeline');
    const hybrid = new HybridRenderer(processor, socket, () => {}, server, { settleMs: 0 });
    vi.mocked(server.job).mockImplementation(async () => ({ job_id: 'preprocessing-0123456789ab', status: 'running', task_id: 'someone-else' }) as unknown as Job);
    const abort = new AbortController();
    const inFlight = hybrid.render(source, params, { forceServer: true, signal: abort.signal });
    await vi.waitFor(() => expect(server.preview).toHaveBeenCalled());
    abort.abort();
    await expect(inFlight).rejects.toBeInstanceOf(SupersededError);
    await vi.waitFor(() => expect(server.job).toHaveBeenCalled());
    expect(server.cancel).not.toHaveBeenCalled();
  });

  it('runs a phone photo in the workers on its proxy with scaled params, and gets the full resolution from the server', async () => {
    const { hybrid, processor, server } = await setup('client-workers');
    const phone = await sourceOf(4032, 3024, 2);
    const r = await hybrid.render(phone, { blur: { kernelSize: 17, sigma: 0 } });
    expect(r).toMatchObject({ where: 'client-workers', scale: 0.5, factor: 2, params: { blur: { kernelSize: 17, sigma: 0 } } });
    expect(r.decision.rule).toBe('proxy');
    const sent = vi.mocked(processor.preview).mock.calls[0][1];
    expect(sent.blur).toMatchObject({ kernelSize: 9 });
    expect(server.preview).not.toHaveBeenCalled();
    const full = await hybrid.fullResolution(phone, { blur: { kernelSize: 17, sigma: 0 } });
    expect(full.jobId).toBe('preprocessing-0123456789ab');
    expect(vi.mocked(server.fallback).mock.calls[0][0].params).toEqual({ blur: { kernelSize: 17, sigma: 0 } });
  });

  it('falls back to the workers when the server refuses work the browser moved for its own reasons', async () => {
    const { hybrid, source, processor, server, pool } = await setup('client-workers');
    vi.mocked(server.preview).mockRejectedValue(new Error('The job queue is full; retry in 3 s.'));
    pool({ kind: 'status', status: { size: 1, queued: 5, running: 1, depth: 6 } });
    const r = await hybrid.render(source, { grayscale: {} });
    expect(r.where).toBe('client-workers');
    expect(r.decision.reason).toContain('The job queue is full');
    expect(processor.preview).toHaveBeenCalled();
    // …but a render the user sent to the server reports the failure.
    await expect(hybrid.render(source, { grayscale: {} }, { forceServer: true })).rejects.toThrow('queue is full');
  });

  it('sends background removal on a low-end device to the server, and back to the workers if the server refuses', async () => {
    const { processor, server, events } = await setup('client-workers');
    const weak = new HybridRenderer(processor, new JobSocket({ url: 'ws://x', createSocket: () => ({}) as SocketLike }), (e) => events.push(e), server, {
      device: { memoryGb: 0.5, cores: 2 },
      settleMs: 0,
    });
    const source = await sourceOf(640, 480);
    const params = { background_removal: { strength: 1 } };
    const moved = await weak.render(source, params);
    expect(moved.decision.rule).toBe('device');
    expect(moved.where).not.toBe('client-workers');
    vi.mocked(server.preview).mockRejectedValue(new Error('The server is down.'));
    const back = await weak.render(source, { background_removal: { strength: 0.5 } });
    expect(back.where).toBe('client-workers');
    expect(back.decision.reason).toContain('The server is down.');
  });

  it('finishes a job over HTTP when the WebSocket never connects', async () => {
    const { source, params, server, processor, socket } = await setup('server-pipeline'); // 'accepted': follow it
    const hybrid = new HybridRenderer(processor, socket, () => {}, server, { pollMs: 10, settleMs: 0 });
    const r = await hybrid.render(source, params, { forceServer: true });
    expect(server.job).toHaveBeenCalledWith('preprocessing-0123456789ab');
    expect(r.where).toBe('server-pipeline');
  });

  it('sends queue depth and worker crashes from the pool to telemetry', async () => {
    const { events, pool } = await setup('server-pipeline');
    pool({ kind: 'status', status: { size: 1, queued: 3, running: 1, depth: 4 } });
    pool({ kind: 'crash', taskId: 't9', message: 'boom' });
    expect(events).toContainEqual({ type: 'queue_depth', depth: 4 });
    expect(events).toContainEqual({ type: 'worker', event: 'crash', task_id: 't9', detail: 'boom' });
  });
});
