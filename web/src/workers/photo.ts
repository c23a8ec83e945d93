/** Decoding an opened file off the main thread, through the decode worker (decoder.ts). */
import type { RgbaImage } from './kernels/image';
import type { DecodeReply, DecodeRequest } from './protocol';

export interface DecodedPhoto {
  /** The full size of the picture. */
  width: number;
  height: number;
  /** `image` is the picture at 1/factor of its size (1: the picture itself). */
  factor: number;
  image: RgbaImage;
  bitmap?: ImageBitmap;
}

export interface DecodeOptions {
  /** Make a proxy when the long side is over this (none when absent). */
  maxSide?: number;
  /** Also hand back the decoded bitmap, for drawing. */
  keepBitmap?: boolean;
}

let decoder: Worker | null = null;
let decodeIds = 0;
const decoding = new Map<number, { resolve: (photo: DecodedPhoto) => void; reject: (error: Error) => void }>();

/** Decode image bytes in a worker (and make the proxy there): the page's thread only waits. */
export function decodePhoto(blob: Blob, options: DecodeOptions = {}): Promise<DecodedPhoto> {
  if (!decoder) {
    const worker = new Worker(new URL('./decoder.ts', import.meta.url), { type: 'module', name: 'ocrp-decoder' });
    worker.onmessage = (event: MessageEvent<DecodeReply>) => {
      const reply = event.data;
      const waiting = decoding.get(reply.id);
      decoding.delete(reply.id);
      if (!waiting) return;
      if (reply.error !== undefined) return waiting.reject(new Error(reply.error));
      const { width, height, buffer } = reply.image;
      waiting.resolve({ width: reply.width, height: reply.height, factor: reply.factor, image: { width, height, data: new Uint8ClampedArray(buffer) }, bitmap: reply.bitmap });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const waiting of decoding.values()) waiting.reject(new Error(event.message || 'the decode worker failed'));
      decoding.clear();
      decoder = null;
      worker.terminate();
    };
    decoder = worker;
  }
  const id = ++decodeIds;
  const request: DecodeRequest = { id, blob, ...options };
  return new Promise((resolve, reject) => {
    decoding.set(id, { resolve, reject });
    decoder!.postMessage(request);
  });
}
