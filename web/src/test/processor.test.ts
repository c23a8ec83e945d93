import { describe, expect, it } from 'vitest';
import { createImageProcessor, SupersededError } from '../workers';
import { makeImage } from '../workers/kernels/image';
import { runSteps } from '../workers/pipeline';
import type { RunResult, WorkerReply, WorkerRequest } from '../workers/protocol';
import type { WorkerLike } from '../workers/pool';
import { imageFrom } from './helpers';

/** A worker that really runs the kernels, synchronously but replying on a later tick. */
class InlineWorker implements WorkerLike {
  static runs = 0;
  private images = new Map<string, ReturnType<typeof makeImage>>();
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(msg: WorkerRequest): void {
    if (msg.type === 'load') {
      const { width, height, buffer } = msg.payload.image;
      this.images.set(msg.payload.imageId, makeImage(width, height, new Uint8ClampedArray(buffer.slice(0))));
    } else if (msg.type === 'run') {
      InlineWorker.runs++;
      const { image, timings } = runSteps(this.images.get(msg.payload.imageId)!, msg.payload.steps);
      const data = image.data.slice();
      const reply: RunResult = {
        taskId: msg.taskId,
        type: 'result',
        payload: { image: { width: image.width, height: image.height, buffer: data.buffer }, timings, workerMs: 0 },
      };
      setTimeout(() => this.onmessage?.({ data: reply } as MessageEvent<WorkerReply>), 1);
    }
  }
  terminate(): void {}
}

describe('createImageProcessor', () => {
  const src = imageFrom(4, 3, (x, y) => [x * 60, y * 100, 30, 255]);
  const bytes = new Uint8Array([1, 2, 3]);

  it('memoises by cache key: going back to earlier params does not run again', async () => {
    InlineWorker.runs = 0;
    const p = createImageProcessor({ createWorker: () => new InlineWorker(), poolSize: 1 });
    const opened = await p.open(bytes, src);
    const first = await p.preview(opened, { grayscale: true });
    expect(first.fromMemo).toBe(false);
    expect(first.cacheKey).toMatch(/^preprocessing:[0-9a-f]{16}$/);
    await p.preview(opened, { grayscale: true, blur: { kernelSize: 3 } });
    const again = await p.preview(opened, { grayscale: true });
    expect(again.fromMemo).toBe(true);
    expect(again.image.data).toEqual(first.image.data);
    expect(InlineWorker.runs).toBe(2);
  });

  it('only the newest request of a channel resolves', async () => {
    const p = createImageProcessor({ createWorker: () => new InlineWorker(), poolSize: 1 });
    const opened = await p.open(bytes, src);
    const results = await Promise.allSettled([1, 3, 5, 7].map((k) => p.preview(opened, { blur: { kernelSize: k } })));
    expect(results.slice(0, 3).every((r) => r.status === 'rejected' && r.reason instanceof SupersededError)).toBe(true);
    expect(results[3].status).toBe('fulfilled');
  });

  it("keys a proxy's previews apart from the full image's: they are not the same pixels", async () => {
    const p = createImageProcessor({ createWorker: () => new InlineWorker(), poolSize: 1 });
    const full = await p.open(bytes, src);
    const fullKey = (await p.preview(full, { grayscale: true })).cacheKey;
    const proxy = await p.open(bytes, imageFrom(2, 2, () => [9, 9, 9, 255]), { factor: 2 });
    expect(proxy).toMatchObject({ digest: full.digest, factor: 2, id: `${full.digest}@1/2` });
    const proxyPreview = await p.preview(proxy, { grayscale: true });
    expect(proxyPreview.fromMemo).toBe(false);
    expect(proxyPreview.cacheKey).not.toBe(fullKey);
    expect(proxyPreview.image.width).toBe(2);
  });
});
