/// <reference lib="webworker" />
/** The decode worker: image bytes to RGBA off the main thread, and the proxy of a large image made
 *  here too (the resize op's area average), so opening a 12 MP photo never blocks the page. */
import { proxyFactor, proxyMaxSide } from './proxy';
import type { RgbaImage } from './kernels/image';
import { runSteps } from './pipeline';
import type { DecodeReply, DecodeRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, blob, maxSide, keepBitmap } = event.data;
  try {
    // As the server's decoder sees the bytes: no colour-space conversion, no premultiplied alpha.
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const { width, height } = bitmap;
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser gives no 2D canvas context in a worker');
    ctx.drawImage(bitmap, 0, 0);
    let image: RgbaImage = { width, height, data: ctx.getImageData(0, 0, width, height).data };
    const factor = maxSide ? proxyFactor(width, height, maxSide) : 1;
    if (factor > 1) image = runSteps(image, [{ op: 'resize', params: { maxSide: proxyMaxSide(width, height, factor) } }]).image;
    if (!keepBitmap) bitmap.close();
    const buffer = image.data.buffer as ArrayBuffer;
    const reply: DecodeReply = {
      id,
      width,
      height,
      factor,
      image: { width: image.width, height: image.height, buffer },
      bitmap: keepBitmap ? bitmap : undefined,
    };
    scope.postMessage(reply, keepBitmap ? [buffer, bitmap] : [buffer]);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies DecodeReply);
  }
};
