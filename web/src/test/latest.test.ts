import { describe, expect, it } from 'vitest';
import { LatestRunner } from '../lib/latest';

/** A run per value that finishes when the test says so. */
function harness() {
  const started: number[] = [];
  const aborted: number[] = [];
  const finish = new Map<number, () => void>();
  let idle = 0;
  const runner = new LatestRunner<number>(
    (value, signal) =>
      new Promise<void>((resolve) => {
        started.push(value);
        signal.addEventListener('abort', () => aborted.push(value));
        finish.set(value, resolve);
      }),
    () => idle++,
  );
  const done = async (value: number) => {
    finish.get(value)!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { runner, started, aborted, done, idle: () => idle };
}

describe('LatestRunner', () => {
  it('runs a value at once when idle, and one at a time', async () => {
    const h = harness();
    h.runner.push(1);
    expect(h.started).toEqual([1]);
    expect(h.runner.busy).toBe(true);
    await h.done(1);
    expect(h.runner.busy).toBe(false);
    expect(h.idle()).toBe(1);
  });

  it('keeps only the newest value pushed during a run, tells the run, and runs the newest next', async () => {
    const h = harness();
    h.runner.push(1);
    for (const v of [2, 3, 4]) h.runner.push(v);
    expect(h.started).toEqual([1]); // never two at once
    expect(h.aborted).toEqual([1]);
    await h.done(1);
    expect(h.started).toEqual([1, 4]); // 2 and 3 were never run
    await h.done(4);
    expect(h.idle()).toBe(1);
  });

  it('keeps repainting during a long stream of values and ends on the last one', async () => {
    const h = harness();
    for (let v = 1; v <= 20; v++) {
      h.runner.push(v);
      if (v % 5 === 0) await h.done(h.started[h.started.length - 1]);
    }
    await h.done(h.started[h.started.length - 1]);
    expect(h.started.length).toBeGreaterThan(3); // frames during the stream, not only at its end
    expect(h.started[h.started.length - 1]).toBe(20);
  });

  it('goes on after a run that fails', async () => {
    const seen: number[] = [];
    const runner = new LatestRunner<number>(async (v) => {
      seen.push(v);
      if (v === 1) throw new Error('boom');
    });
    runner.push(1);
    runner.push(2);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([1, 2]);
  });
});
