import type { RgbaImage } from './image';

/** Placeholder until the Python algorithm lands in main: identity. */
export function cropDocument(src: RgbaImage, _params: Record<string, unknown> = {}): RgbaImage {
  return { width: src.width, height: src.height, data: src.data.slice() };
}
