import type { RgbaImage } from '../workers';

/** Decode image bytes to RGBA as the server's decoder sees them: no colour-space conversion, no
 *  premultiplied alpha, so the same PNG gives the same pixels on both sides. */
export async function decodeImage(blob: Blob): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser gives no 2D canvas context');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    return { width: bitmap.width, height: bitmap.height, data };
  } finally {
    bitmap.close();
  }
}

/** The image as ImageData, sharing its pixels (putImageData copies them into the canvas anyway):
 *  no 12 MB copy per paint. The cast only narrows the buffer type; ours are never shared. */
export function toImageData(image: RgbaImage): ImageData {
  return new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height);
}
