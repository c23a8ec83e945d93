/**
 * The WebAssembly SIMD kernels (web/assembly, compiled into kernels.wasm.gen.ts by
 * scripts/build-wasm.mjs) behind a small typed API. A kernel module asks `simd()` for the module;
 * when it is there it lays out its buffers with `run`, else it runs its plain TypeScript loop.
 * Both forms give the same bits (checked by the Vitest suite on many sizes and params).
 */
import { makeImage, type RgbaImage } from './kernels/image';
import { KERNELS_WASM } from './kernels.wasm.gen';

/** What web/assembly/index.ts exports; every pointer is a byte offset into `memory`. */
export interface SimdExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  grayscale(src: number, dst: number, pixels: number): void;
  histograms(src: number, pixels: number, hist: number): void;
  applyLuts(src: number, dst: number, pixels: number, luts: number): void;
  blur(src: number, dst: number, w: number, h: number, kernel: number, k: number, small: number, scratch: number): void;
  blurScratchBytes(w: number, k: number): number;
  lumaPlane(src: number, gray: number, pixels: number, hist: number): void;
  threshold(src: number, gray: number, dst: number, pixels: number, level: number): void;
  adaptiveThreshold(src: number, gray: number, dst: number, w: number, h: number, blockSize: number, idelta: number, scratch: number): void;
  adaptiveScratchBytes(w: number, blockSize: number): number;
}

/** Every buffer gets this much room past its end: the kernels run whole vectors (up to 16 pixels)
 *  and may read, and write garbage, a little beyond the last pixel. */
const SLACK = 128;
const PAGE = 65536;

export class Simd {
  constructor(readonly fn: SimdExports) {}

  /**
   * Copy `src` into linear memory, reserve zeroed buffers of `sizes` bytes after it and the
   * output image, call `body(srcPtr, dstPtr, ...bufferPtrs)`, and copy the output out into a
   * fresh buffer (transferable, and safe from the next call reusing the memory).
   */
  run(src: RgbaImage, sizes: number[], body: (src: number, dst: number, ...buffers: number[]) => void, out = { width: src.width, height: src.height }): RgbaImage {
    const outBytes = out.width * out.height * 4;
    const [s, d, ...buffers] = this.reserve([src.data.length, outBytes, ...sizes]);
    this.bytes(s, src.data.length).set(src.data);
    for (let i = 0; i < buffers.length; i++) this.bytes(buffers[i], sizes[i]).fill(0);
    body(s, d, ...buffers);
    // Not memory.buffer.slice(): on Wasm memory V8 copies that several times slower than set().
    const data = new Uint8ClampedArray(outBytes);
    data.set(this.bytes(d, outBytes));
    return makeImage(out.width, out.height, data);
  }

  /** A view on linear memory; take it after `run` has grown the memory, never keep it. */
  bytes(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.fn.memory.buffer, ptr, length);
  }

  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.fn.memory.buffer, ptr, length);
  }

  /** Consecutive 16-byte aligned buffers from the heap base, growing memory when needed. */
  private reserve(sizes: number[]): number[] {
    let next = align(this.fn.heapBase());
    const ptrs = sizes.map((size) => {
      const ptr = next;
      next = align(ptr + size + SLACK);
      return ptr;
    });
    const missing = next - this.fn.memory.buffer.byteLength;
    if (missing > 0) this.fn.memory.grow(Math.ceil(missing / PAGE));
    return ptrs;
  }
}

function align(n: number): number {
  return (n + 15) & ~15;
}

let enabled = true;
let loaded: Simd | null | undefined;

/** The SIMD kernels, or null where WebAssembly SIMD is unavailable (or switched off for a test). */
export function simd(): Simd | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = instantiate();
  return loaded;
}

/** Switch the SIMD kernels off (or back on), so tests can compare both forms of every kernel. */
export function useSimd(on: boolean): void {
  enabled = on;
}

function instantiate(): Simd | null {
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM), (c) => c.charCodeAt(0));
    // Synchronous on purpose: the kernels are synchronous, and workers may compile any size.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return new Simd(instance.exports as unknown as SimdExports);
  } catch (error) {
    console.warn('WebAssembly SIMD kernels unavailable; using the TypeScript ones:', error);
    return null;
  }
}
