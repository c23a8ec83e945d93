import { describe, expect, it } from 'vitest';
import { SupersededError, WorkerCrashedError, WorkerPool, defaultPoolSize, type PoolEvent, type WorkerLike } from '../workers/pool';
import type { RunResult, WorkerReply, WorkerRequest } from '../workers/protocol';

/** A Worker stand-in: records what it is sent; the test decides when and how it replies. */
class FakeWorker implements WorkerLike {
  static all: FakeWorker[] = [];
  sent: WorkerRequest[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;

  constructor() {
    FakeWorker.all.push(this);
  }

  postMessage(message: WorkerRequest): void {
    this.sent.push(message);
  }

  terminate(): void {
    this.terminated = true;
  }

  runs(): WorkerRequest[] {
    return this.sent.filter((m) => m.type === 'run');
  }

  reply(taskId: string, width = 1): void {
    const msg: RunResult = {
      taskId,
      type: 'result',
      payload: { image: { width, height: 1, buffer: new ArrayBuffer(4 * width) }, timings: [], workerMs: 1 },
    };
    this.onmessage?.({ data: msg } as MessageEvent<WorkerReply>);
  }

  crash(message: string): void {
    this.onerror?.({ message, preventDefault() {} } as ErrorEvent);
  }
}

const image = { width: 1, height: 1, buffer: new ArrayBuffer(4) };

function makePool(size = 1, clock = { t: 0 }) {
  FakeWorker.all = [];
  const pool = new WorkerPool(() => new FakeWorker(), size, { abortAfterMs: 100, now: () => clock.t });
  pool.addImage('img', image);
  const events: PoolEvent[] = [];
  pool.subscribe((e) => events.push(e));
  return { pool, events, clock };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('WorkerPool', () => {
  it('sizes itself clamp(hardwareConcurrency - 1, 1, 4)', () => {
    expect([1, 2, 3, 5, 16].map(defaultPoolSize)).toEqual([1, 1, 2, 4, 4]);
  });

  it('loads the image once per worker, then sends only steps', async () => {
    const { pool } = makePool();
    const a = pool.run('img', []);
    FakeWorker.all[0].reply(a.taskId);
    await a.done;
    const b = pool.run('img', []);
    FakeWorker.all[0].reply(b.taskId);
    await b.done;
    expect(FakeWorker.all[0].sent.map((m) => m.type)).toEqual(['load', 'run', 'run']);
  });

  it('matches replies by taskId, not by order, and ignores unknown ones', async () => {
    const { pool } = makePool(2);
    const a = pool.run('img', []);
    const b = pool.run('img', []);
    const [wa, wb] = FakeWorker.all;
    expect(wa.runs()[0].taskId).toBe(a.taskId);
    wb.reply('someone-else', 9); // a stale reply: ignored
    wb.reply(b.taskId, 2);
    wa.reply(a.taskId, 1);
    expect((await b.done).image.width).toBe(2);
    expect((await a.done).image.width).toBe(1);
  });

  it('runs higher priority first, FIFO among equals', () => {
    const { pool } = makePool(1);
    const busy = pool.run('img', []);
    const low = pool.run('img', [], { priority: 0 });
    const high = pool.run('img', [], { priority: 5 });
    const low2 = pool.run('img', [], { priority: 0 });
    const w = FakeWorker.all[0];
    w.reply(busy.taskId);
    w.reply(w.runs()[1].taskId);
    w.reply(w.runs()[2].taskId);
    expect(w.runs().map((m) => m.taskId)).toEqual([busy.taskId, high.taskId, low.taskId, low2.taskId]);
    for (const t of [busy, low, high, low2]) t.done.catch(() => {});
  });

  it('latest wins: a queued task in the same channel is dropped, unsent', async () => {
    const { pool } = makePool(1);
    const first = pool.run('img', [], { channel: 'studio' });
    const second = pool.run('img', [], { channel: 'studio' });
    const third = pool.run('img', [], { channel: 'studio' });
    await expect(second.done).rejects.toBeInstanceOf(SupersededError);
    const w = FakeWorker.all[0];
    expect(pool.status().depth).toBe(2); // the (superseded) running one and the newest
    w.reply(first.taskId); // arrives, but must never paint
    await expect(first.done).rejects.toBeInstanceOf(SupersededError);
    expect(w.runs().map((m) => m.taskId)).toEqual([first.taskId, third.taskId]);
    w.reply(third.taskId, 3);
    expect((await third.done).image.width).toBe(3);
    expect(pool.status().depth).toBe(0);
  });

  it('aborts a long-running superseded task by terminate and respawn', async () => {
    const { pool, events, clock } = makePool(1);
    const slow = pool.run('img', [], { channel: 'studio' });
    clock.t = 500;
    const next = pool.run('img', [], { channel: 'studio' });
    await expect(slow.done).rejects.toBeInstanceOf(SupersededError);
    const [old, fresh] = FakeWorker.all;
    expect(old.terminated).toBe(true);
    // The fresh worker needs the image again before it can run the newer task.
    expect(fresh.sent.map((m) => [m.type, m.taskId])).toEqual([['load', next.taskId], ['run', next.taskId]]);
    fresh.reply(next.taskId, 4);
    expect((await next.done).image.width).toBe(4);
    expect(events.some((e) => e.kind === 'abort' && e.taskId === slow.taskId)).toBe(true);
  });

  it('does not touch other channels', async () => {
    const { pool } = makePool(1);
    const a = pool.run('img', [], { channel: 'studio' });
    const b = pool.run('img', [], { channel: 'bench' });
    pool.run('img', [], { channel: 'studio' }).done.catch(() => {});
    a.done.catch(() => {});
    const w = FakeWorker.all[0];
    w.reply(a.taskId);
    w.reply(b.taskId, 7);
    expect((await b.done).image.width).toBe(7);
  });

  it('respawns a crashed worker, tells listeners, and keeps serving', async () => {
    const { pool, events } = makePool(1);
    const doomed = pool.run('img', []);
    const after = pool.run('img', []);
    FakeWorker.all[0].crash('boom');
    await expect(doomed.done).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(events).toContainEqual({ kind: 'crash', taskId: doomed.taskId, message: 'boom' });
    await settle();
    const fresh = FakeWorker.all[1];
    expect(fresh.runs().map((m) => m.taskId)).toEqual([after.taskId]);
    fresh.reply(after.taskId, 5);
    expect((await after.done).image.width).toBe(5);
  });

  it('cancel(channel) supersedes without starting anything', async () => {
    const { pool } = makePool(1);
    const a = pool.run('img', [], { channel: 'studio' });
    const b = pool.run('img', [], { channel: 'studio' });
    a.done.catch(() => {});
    pool.cancel('studio');
    await expect(b.done).rejects.toBeInstanceOf(SupersededError);
    FakeWorker.all[0].reply(a.taskId);
    await expect(a.done).rejects.toBeInstanceOf(SupersededError);
    expect(pool.status().depth).toBe(0);
  });
});
