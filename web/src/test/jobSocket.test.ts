import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobSocket, untilFinished, type SocketLike } from '../api/jobSocket';
import type { Job, JobUpdate } from '../api/jobs';

/** A WebSocket stand-in: the test opens it, closes it and pushes server messages. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor() {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  push(update: Partial<JobUpdate>) {
    this.onmessage?.({ data: JSON.stringify(update) } as MessageEvent);
  }
}

const update = (job_id: string, status: JobUpdate['status'], progress = 0): JobUpdate => ({
  job_id,
  status,
  progress,
  result_path: status === 'completed' ? `outputs/playground/preprocessing/${job_id}.png` : null,
  task_id: 't1',
  error: null,
});

function make(fetchJob?: (id: string) => Promise<Job>) {
  return new JobSocket({ url: 'ws://x/api/pipelines/ws', createSocket: () => new FakeSocket(), fetchJob, baseDelayMs: 100, maxDelayMs: 1000 });
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1];

describe('JobSocket', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('connects on the first follow and subscribes once it is open', () => {
    const socket = make();
    socket.follow('j1', () => {});
    expect(FakeSocket.all).toHaveLength(1);
    last().open();
    expect(last().sent).toEqual([{ subscribe: ['j1'] }]);
    socket.follow('j2', () => {});
    expect(last().sent).toEqual([{ subscribe: ['j1'] }, { subscribe: 'j2' }]);
  });

  it("routes each job's updates to its followers and all of them to onUpdate", () => {
    const socket = make();
    const a: string[] = [];
    const all: string[] = [];
    socket.follow('j1', (u) => a.push(u.status));
    socket.onUpdate((u) => all.push(`${u.job_id}:${u.status}`));
    last().open();
    last().push(update('j1', 'running'));
    last().push(update('j2', 'queued'));
    last().push({ detail: 'not a job message' } as Partial<JobUpdate>);
    expect(a).toEqual(['running']);
    expect(all).toEqual(['j1:running', 'j2:queued']);
  });

  it('unsubscribes when the last follower leaves', () => {
    const socket = make();
    const stop = socket.follow('j1', () => {});
    last().open();
    stop();
    expect(last().sent).toContainEqual({ unsubscribe: 'j1' });
  });

  it('reconnects with growing delays, re-subscribes and refetches the jobs it follows', async () => {
    const fetchJob = vi.fn(async (id: string) => ({ ...update(id, 'completed'), pipeline_id: 'preprocessing', cache_key: 'k', attempts: 1, created_at: 0, started_at: 0, finished_at: 1 }) as Job);
    const socket = make(fetchJob);
    const seen: string[] = [];
    socket.follow('j1', (u) => seen.push(u.status));
    last().open();
    last().push(update('j1', 'running'));

    last().close(); // the network drops it
    expect(socket.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    last().close(); // the server is still away: the next try waits twice as long
    await vi.advanceTimersByTimeAsync(199);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);

    last().open();
    expect(last().sent).toEqual([{ subscribe: ['j1'] }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchJob).toHaveBeenCalledWith('j1');
    expect(seen).toEqual(['running', 'completed']);
    expect(socket.reconnects).toBe(1);
  });

  it('stays away as long as drop() asks, then comes back', async () => {
    const socket = make();
    socket.follow('j1', () => {});
    last().open();
    socket.drop(2000);
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('caps the backoff', async () => {
    const socket = make();
    socket.follow('j1', () => {});
    for (let i = 0; i < 6; i++) {
      last().close();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(FakeSocket.all).toHaveLength(7);
  });

  it('untilFinished resolves with the final state and reports progress on the way', async () => {
    const socket = make();
    const progress: number[] = [];
    const { done } = untilFinished(socket, 'j1', (u) => progress.push(u.progress));
    last().open();
    last().push(update('j1', 'running', 0.5));
    last().push(update('j1', 'completed', 1));
    await expect(done).resolves.toMatchObject({ status: 'completed', job_id: 'j1' });
    expect(progress).toEqual([0.5, 1]);
    expect(last().sent).toContainEqual({ unsubscribe: 'j1' });
  });
});
