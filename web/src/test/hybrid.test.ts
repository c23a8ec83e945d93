import { describe, expect, it, vi } from 'vitest';
import { JobSocket, type SocketLike } from '../api/jobSocket';
import type { Job, PipelineRequest, PipelineResponse } from '../api/jobs';
import { HybridRenderer, type ServerApi } from '../routing/hybrid';
import type { ClientEvent } from '../telemetry/events';
import { cacheKey, sha256Hex } from '../workers/cacheKey';
import type { ImageProcessor, PoolEvent, Preview } from '../workers';

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
    job: vi.fn(async () => ({ ...answer({ pipeline_id: 'preprocessing', params }, key, routed, 'completed'), status: 'completed', progress: 1, pipeline_id: 'preprocessing', attempts: 1, created_at: 0, started_at: 0, finished_at: 1 }) as unknown as Job),
    decode: vi.fn(async () => tiny),
  };
  const socket = new JobSocket({ url: 'ws://x', createSocket: () => ({}) as SocketLike });
  const hybrid = new HybridRenderer(processor, socket, (e) => events.push(e), server);
  const source = { opened: { digest: await sha256Hex(BYTES), image: { width: 640, height: 480, data: new Uint8ClampedArray(0) } }, bytes: BYTES };
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
    expect(atob(sent.image_base64!)).toBe('not really a jpeg');
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

  it('moves an op to the server only after two runs over its budget', async () => {
    const { hybrid, source, processor } = await setup('client-workers');
    vi.mocked(processor.preview).mockImplementation(async () => ({ image: tiny, cacheKey: 'k', taskId: 't', timings: [{ op: 'blur', ms: 80, engine: 'simd' }], totalMs: 80, fromMemo: false }));
    const params = { blur: { kernelSize: 5 } };
    expect((await hybrid.render(source, params)).decision.rule).toBe('within-limits');
    expect((await hybrid.render(source, params)).decision.rule).toBe('within-limits');
    const third = await hybrid.render(source, params);
    expect(third.decision.rule).toBe('over-budget');
    expect(third.where).toBe('server-pipeline');
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
    const weak = new HybridRenderer(processor, new JobSocket({ url: 'ws://x', createSocket: () => ({}) as SocketLike }), (e) => events.push(e), server, undefined, { memoryGb: 0.5, cores: 2 });
    const source = { opened: { digest: await sha256Hex(BYTES), image: { width: 640, height: 480, data: new Uint8ClampedArray(0) } }, bytes: BYTES };
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
    const hybrid = new HybridRenderer(processor, socket, () => {}, server, 10);
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
