// The WebAssembly SIMD kernels of the workers, one module per op, named as their TypeScript and
// Python twins. Plain functions over raw pointers: the caller (src/workers/simd.ts) lays out the
// buffers in linear memory, so nothing here allocates. The rules every kernel keeps, and may rely on:
// - loops run whole vectors and may read, and write garbage, up to 128 bytes past a buffer's end
//   (simd.ts leaves that much slack after each buffer); where that is not allowed, a scalar tail;
// - a row's overshoot lands at the start of the next row of the same buffer, so rows are written
//   in increasing order and a later row overwrites it; the source is never the destination;
// - params arrive checked by the TypeScript side (the ranges of the Python params models).
export { grayscale } from './grayscale';
export { histograms, tailHistograms, channelRanges, applyLuts } from './autocontrast';
export { blur, blurScratchBytes } from './blur';
export { lumaPlane, threshold, adaptiveThreshold, adaptiveScratchBytes } from './binarize';
export { halve, separable } from './resize';

/** Where the caller may start laying out buffers. */
export function heapBase(): usize {
  return __heap_base;
}
export { pageScore, upsampleRows, softAlpha, liftBackground } from './background_removal';
export { warp } from './crop_document';
