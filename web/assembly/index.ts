// The WebAssembly SIMD kernels of the workers, one module per op, named as their TypeScript and
// Python twins. Plain functions over raw pointers: the caller (src/workers/simd.ts) lays out the
// buffers in linear memory, so nothing here allocates. Every buffer an op reads or writes is padded
// to a whole number of 16-byte vectors, which lets the loops run whole vectors with no scalar tail.
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
