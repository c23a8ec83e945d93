/** The one image processor of the page, created on first use (not per component mount, so
 *  React's StrictMode double effects do not spawn two pools). */
import { createImageProcessor, type ImageProcessor } from './workers';

let processor: ImageProcessor | null = null;

export function getProcessor(): ImageProcessor {
  processor ??= createImageProcessor();
  return processor;
}
