import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TelemetryBatcher, type Transport } from '../telemetry/batcher';
import type { ClientEvent, EventBatch } from '../telemetry/events';

const depth = (d: number): ClientEvent => ({ type: 'queue_depth', depth: d });

function recorder(answer: boolean | (() => boolean) = true) {
  const calls: { batch: EventBatch; transport: Transport }[] = [];
  const send = vi.fn((batch: EventBatch, transport: Transport) => {
    calls.push({ batch, transport });
    return Promise.resolve(typeof answer === 'function' ? answer() : answer);
  });
  return { calls, send };
}

describe('TelemetryBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never sends inside record: the UI thread only pushes', () => {
    const { send } = recorder();
    const b = new TelemetryBatcher({ send, maxBatch: 2, flushMs: 1000 });
    b.record(depth(1));
    b.record(depth(2));
    expect(send).not.toHaveBeenCalled();
    expect(b.pending).toBe(2);
  });

  it('flushes after the interval when the batch is not full', async () => {
    const { calls, send } = recorder();
    const b = new TelemetryBatcher({ send, maxBatch: 10, flushMs: 1000, now: () => 42 });
    b.record(depth(1));
    b.record({ type: 'cache', hit: true, layer: 'memo' });
    await vi.advanceTimersByTimeAsync(999);
    expect(send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(calls[0].transport).toBe('fetch');
    expect(calls[0].batch.events).toEqual([
      { type: 'queue_depth', depth: 1, ts: 42 },
      { type: 'cache', hit: true, layer: 'memo', ts: 42 },
    ]);
    expect(b.sent).toBe(2);
  });

  it('flushes on the next tick once a batch is full, in batches of at most maxBatch, in order', async () => {
    const { calls, send } = recorder();
    const b = new TelemetryBatcher({ send, maxBatch: 3, flushMs: 10_000 });
    for (let i = 0; i < 7; i++) b.record(depth(i));
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.batch.events.map((e) => (e as { depth: number }).depth))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await vi.advanceTimersByTimeAsync(10_000); // the last one waits for the interval
    expect(calls).toHaveLength(3);
    expect(calls[2].batch.events).toHaveLength(1);
  });

  it('keeps the buffer bounded, dropping the oldest and counting them', () => {
    const { send } = recorder();
    const b = new TelemetryBatcher({ send, maxBatch: 1000, maxBuffer: 5, flushMs: 1000 });
    for (let i = 0; i < 8; i++) b.record(depth(i));
    expect(b.pending).toBe(5);
    expect(b.dropped).toBe(3);
  });

  it('keeps a refused batch and retries it after the interval', async () => {
    let ok = false;
    const { calls, send } = recorder(() => ok);
    const b = new TelemetryBatcher({ send, maxBatch: 10, flushMs: 500 });
    b.record(depth(1));
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(1);
    expect(b.pending).toBe(1);
    ok = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2);
    expect(b.pending).toBe(0);
    expect(b.sent).toBe(1);
  });

  it('survives a sender that throws', async () => {
    const send = vi.fn(() => Promise.reject(new Error('offline')));
    const b = new TelemetryBatcher({ send, maxBatch: 10, flushMs: 100 });
    b.record(depth(1));
    await vi.advanceTimersByTimeAsync(100);
    expect(b.pending).toBe(1);
  });

  it('hands everything to the beacon when the page is hidden, with the session id', () => {
    const { calls, send } = recorder();
    const b = new TelemetryBatcher({ send, maxBatch: 2, flushMs: 1000, sessionId: 'sess-1' });
    for (let i = 0; i < 3; i++) b.record(depth(i));
    b.flushOnHide();
    expect(calls).toHaveLength(1); // one beacon may carry up to the server's batch limit
    expect(calls[0].transport).toBe('beacon');
    expect(calls[0].batch.session_id).toBe('sess-1');
    expect(calls[0].batch.events).toHaveLength(3);
    expect(b.pending).toBe(0);
  });
});
