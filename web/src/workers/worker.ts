/// <reference lib="webworker" />
/** The worker entry: holds source images by id and runs pipeline steps on them. It knows nothing
 *  of priorities or supersession; the pool decides what runs and what is thrown away. */
import { makeImage, type RgbaImage } from './kernels/image';
import { runSteps } from './pipeline';
import { prepareOutput, simd } from './simd';
import type { RunError, RunResult, WorkerRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const images = new Map<string, RgbaImage>();

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'load': {
      const { width, height, buffer } = msg.payload.image;
      images.set(msg.payload.imageId, makeImage(width, height, new Uint8ClampedArray(buffer)));
      return;
    }
    case 'forget':
      images.delete(msg.payload.imageId);
      return;
    case 'run': {
      const src = images.get(msg.payload.imageId);
      if (!src) {
        reply({ taskId: msg.taskId, type: 'error', payload: { message: `image ${msg.payload.imageId} was never loaded` } });
        return;
      }
      try {
        const t0 = performance.now();
        const { image, timings } = runSteps(src, msg.payload.steps);
        const workerMs = performance.now() - t0;
        // Never transfer the parked source itself (no steps on): that would detach it.
        const data = image.data === src.data ? src.data.slice() : image.data;
        const buffer = data.buffer as ArrayBuffer;
        const result: RunResult = {
          taskId: msg.taskId,
          type: 'result',
          payload: { image: { width: image.width, height: image.height, buffer }, timings, workerMs },
        };
        const bytes = buffer.byteLength; // read before the transfer detaches it
        scope.postMessage(result, [buffer]);
        // Idle time now: have the next result's buffer ready (see prepareOutput).
        if (simd()) setTimeout(() => prepareOutput(bytes), 0);
      } catch (err) {
        reply({ taskId: msg.taskId, type: 'error', payload: { message: err instanceof Error ? err.message : String(err) } });
      }
    }
  }
};

function reply(msg: RunError): void {
  scope.postMessage(msg);
}
