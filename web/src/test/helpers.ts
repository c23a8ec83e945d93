import { makeImage, type RgbaImage } from '../workers/kernels/image';

/** An image from a per-pixel function returning [r, g, b, a]. */
export function imageFrom(width: number, height: number, f: (x: number, y: number) => number[]): RgbaImage {
  const img = makeImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) img.data.set(f(x, y), (y * width + x) * 4);
  }
  return img;
}

export function channel(img: RgbaImage, c: number): number[] {
  const out: number[] = [];
  for (let i = c; i < img.data.length; i += 4) out.push(img.data[i]);
  return out;
}

export function pixel(img: RgbaImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}
