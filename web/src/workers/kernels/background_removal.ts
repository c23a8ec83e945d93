import type { RgbaImage } from './image';

export interface BackgroundRemovalParams {
  strength: number;
}

/** Placeholder until the Python algorithm lands in main: identity. */
export function backgroundRemoval(src: RgbaImage, _params: Partial<BackgroundRemovalParams> = {}): RgbaImage {
  return { width: src.width, height: src.height, data: src.data.slice() };
}
