/**
 * The WebAssembly SIMD kernels (web/assembly, compiled into kernels.wasm.gen.ts by
 * scripts/build-wasm.mjs) behind a small typed API. A kernel module exports a SimdStep beside its
 * TypeScript kernel; `simdFor` is the one place that chooses between the two forms, for a kernel
 * called alone (`twoForms`) and for a step of a chain (runSteps, which runs such steps in one
 * Segment). Both forms give the same bits for every params the ops accept (checked by the Vitest
 * suite on many sizes and params; the kernels refuse params outside the Python models' ranges).
 */
import { makeImage, type RgbaImage } from './kernels/image';
import { KERNELS_WASM } from './kernels.wasm.gen';

/** What web/assembly/index.ts exports; every pointer is a byte offset into `memory`. */
export interface SimdExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  grayscale(src: number, dst: number, pixels: number): void;
  histograms(src: number, pixels: number, hist: number): void;
  tailHistograms(src: number, pixels: number, bounds: number, hist: number): void;
  channelRanges(src: number, pixels: number, out: number): void;
  applyLuts(src: number, dst: number, pixels: number, luts: number): void;
  blur(src: number, dst: number, w: number, h: number, kernel: number, k: number, small: number, scratch: number): void;
  blurScratchBytes(w: number, k: number): number;
  lumaPlane(src: number, gray: number, pixels: number, hist: number): void;
  threshold(src: number, gray: number, dst: number, pixels: number, level: number): void;
  adaptiveThreshold(src: number, gray: number, dst: number, w: number, h: number, blockSize: number, idelta: number, scratch: number): void;
  adaptiveScratchBytes(w: number, blockSize: number): number;
  halve(src: number, dst: number, sw: number, dw: number, dh: number): void;
  warp(src: number, sw: number, sh: number, dst: number, w: number, h: number, m: number): void;
  pageScore(src: number, width: number, f: number, w: number, h: number, score: number, sums: number, means: number): void;
  upsampleRows(soft: number, w: number, h: number, W: number, xStart: number, xIndex: number, xWeight: number, across: number): void;
  softAlpha(
    across: number, W: number, H: number, width: number, height: number,
    yStart: number, yIndex: number, yWeight: number, row: number, alpha: number,
  ): void;
  liftBackground(src: number, alpha: number, dst: number, pixels: number, weights: number, lifted: number): void;
  separable(
    src: number, dst: number, sw: number, dw: number, dh: number,
    xStart: number, xIndex: number, xWeight: number, yStart: number, yIndex: number, yWeight: number, column: number,
  ): void;
}

/** Every buffer gets this much room past its end: the kernels run whole vectors (up to 16 pixels)
 *  and may read, and write garbage, a little beyond the last pixel (and a row's overshoot lands in
 *  the next row, which is written after it). See web/assembly/index.ts for the rules. */
const SLACK = 128;
const PAGE = 65536;

/** The size of a step's output frame. */
export interface Shape {
  width: number;
  height: number;
}

/** One op on an image held in linear memory. */
export interface SimdStep<P, O extends Shape = Shape> {
  /** Read the RGBA frame at `src` (`segment.width × segment.height`), write the one at `dst`
   *  (`out.width × out.height`), take any scratch from the segment. */
  run(segment: Segment, src: number, dst: number, params: P, out: O): void;
  /** For an op that changes the size: the output's size (it may look at the frame to find it),
   *  with whatever else it worked out on the way, handed to `run` as `out`; by default the input's
   *  size. Called just before run, on the same frame; scratch it takes is gone by then (the output
   *  frame may be laid over it), so hand on results, not pointers. */
  plan?(segment: Segment, src: number, params: P): O;
  /** Whether this form handles these params on this input; where not, the TypeScript kernel runs. */
  covers?(params: P, width: number, height: number): boolean;
}

export class Simd {
  /** Bumped by every open(): each Segment lays out memory from the heap base, so only the newest
   *  one is valid. */
  generation = 0;

  constructor(readonly fn: SimdExports) {}

  /** Copy `src` into linear memory to run SIMD steps on it; `close()` copies the result out. */
  open(src: RgbaImage): Segment {
    this.generation++;
    return new Segment(this, src);
  }

  /** One step on its own: in, step, out. */
  apply<P, O extends Shape>(src: RgbaImage, step: SimdStep<P, O>, params: P): RgbaImage {
    return this.open(src).apply(step, params).close();
  }

  /** Whether `step` handles `params` on an image of this size. */
  covers<P, O extends Shape>(step: SimdStep<P, O>, params: P, width: number, height: number): boolean {
    return !step.covers || step.covers(params, width, height);
  }

  /** Make linear memory at least `bytes` long; pointers stay valid, views taken before do not. */
  ensure(bytes: number): void {
    const missing = bytes - this.fn.memory.buffer.byteLength;
    if (missing > 0) this.fn.memory.grow(Math.ceil(missing / PAGE));
  }

  /** A view on linear memory; take it after the memory has grown, never keep it. */
  bytes(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.fn.memory.buffer, ptr, length);
  }

  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.fn.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.fn.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.fn.memory.buffer, ptr, length);
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.fn.memory.buffer, ptr, length);
  }
}

/**
 * An image living in linear memory while SIMD steps run on it back to back: two frames used in
 * turn as source and destination, scratch after them. A chain of ops pays one copy in and one
 * copy out instead of one of each per op (at 2048×1536 each costs milliseconds).
 */
export class Segment {
  width: number;
  height: number;
  private readonly frames: [number, number];
  private readonly capacity: [number, number];
  private scratchStart: number;
  private scratchNext: number;
  private current = 0;
  private readonly generation: number;

  constructor(
    readonly wasm: Simd,
    src: RgbaImage,
  ) {
    this.generation = wasm.generation;
    this.width = src.width;
    this.height = src.height;
    const frameBytes = align(src.data.length + SLACK);
    const first = align(wasm.fn.heapBase());
    this.frames = [first, first + frameBytes];
    this.capacity = [frameBytes, frameBytes];
    this.scratchStart = first + 2 * frameBytes;
    this.scratchNext = this.scratchStart;
    wasm.ensure(this.scratchStart);
    wasm.bytes(first, src.data.length).set(src.data);
  }

  get fn(): SimdExports {
    return this.wasm.fn;
  }

  get pixels(): number {
    return this.width * this.height;
  }

  apply<P, O extends Shape>(step: SimdStep<P, O>, params: P): this {
    this.checkCurrent();
    this.scratchNext = this.scratchStart;
    const out = step.plan ? step.plan(this, this.frames[this.current], params) : ({ width: this.width, height: this.height } as O);
    const { width, height } = out;
    const next = 1 - this.current;
    if (this.capacity[next] < width * height * 4 + SLACK) {
      // A bigger output (an upscale): its frame moves past everything laid out so far.
      this.capacity[next] = align(width * height * 4 + SLACK);
      this.frames[next] = this.scratchStart;
      this.scratchStart += this.capacity[next];
      this.wasm.ensure(this.scratchStart);
    }
    this.scratchNext = this.scratchStart;
    step.run(this, this.frames[this.current], this.frames[next], params, out);
    this.width = width;
    this.height = height;
    this.current = next;
    return this;
  }

  /** A Segment opened later has laid its frames over this one's: fail rather than read them. */
  private checkCurrent(): void {
    if (this.generation !== this.wasm.generation) throw new Error('this Segment was superseded by a newer one');
  }

  /** Zeroed scratch buffers of these byte sizes, valid until the step returns. Growing memory
   *  detaches views taken before: take views after the last call. */
  scratch(sizes: number[]): number[] {
    this.checkCurrent();
    const ptrs = sizes.map((size) => {
      const ptr = this.scratchNext;
      this.scratchNext = align(ptr + size + SLACK);
      return ptr;
    });
    this.wasm.ensure(this.scratchNext);
    ptrs.forEach((ptr, i) => this.wasm.bytes(ptr, sizes[i]).fill(0));
    return ptrs;
  }

  /** Copies of these arrays in scratch, for a step's tables. */
  put(arrays: (Int32Array | Float64Array | Float32Array | Uint8Array)[]): number[] {
    const ptrs = this.scratch(arrays.map((a) => a.byteLength));
    arrays.forEach((a, i) => this.wasm.bytes(ptrs[i], a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));
    return ptrs;
  }

  /** Run read-only code on the current frame (`fn(segment, framePtr)`) and return its answer. */
  read<T>(fn: (segment: Segment, frame: number) => T): T {
    this.checkCurrent();
    this.scratchNext = this.scratchStart;
    return fn(this, this.frames[this.current]);
  }

  /** The current frame, copied out into a buffer of its own (transferable, and safe from the
   *  next segment reusing the memory). Not memory.buffer.slice(): V8 copies that several times
   *  slower than set(). */
  close(): RgbaImage {
    this.checkCurrent();
    const length = this.pixels * 4;
    const data = outputBuffer(length);
    data.set(this.wasm.bytes(this.frames[this.current], length));
    return makeImage(this.width, this.height, data);
  }
}

/*
 * Writing a fresh 12 MB buffer costs Chromium 8–14 ms of page faults, against ~1 ms for memory
 * already touched: more than most kernels. A result buffer is transferred away, so it cannot be
 * reused; instead the worker, once idle, touches the next one in advance (`prepareOutput`).
 */
let spare: Uint8ClampedArray | null = null;

/** Fault in a buffer of `bytes` for the next result, unless one is ready. Call when idle. */
export function prepareOutput(bytes: number): void {
  if (spare?.length === bytes) return;
  spare = new Uint8ClampedArray(bytes);
  spare.fill(0);
}

function outputBuffer(bytes: number): Uint8ClampedArray {
  const ready = spare?.length === bytes ? spare : null;
  if (ready) spare = null;
  return ready ?? new Uint8ClampedArray(bytes);
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

/** The module when this step's SIMD form is to run on these params at this size, else null: the
 *  one place the choice is made (no WebAssembly SIMD here, no SIMD form, or one that does not
 *  cover these params). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function simdFor<P>(step: SimdStep<P, any> | undefined, params: P, width: number, height: number): Simd | null {
  const wasm = simd();
  return wasm && step && wasm.covers(step, params, width, height) ? wasm : null;
}

/** A kernel under one name from its two forms: the SIMD one where `simdFor` says so, else the
 *  TypeScript one. `step` is read when called (the SimdStep may be declared after the kernel). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function twoForms<P>(step: () => SimdStep<P, any>, typescript: (src: RgbaImage, params: P) => RgbaImage) {
  return (src: RgbaImage, params: P = {} as P): RgbaImage => {
    const wasm = simdFor(step(), params, src.width, src.height);
    return wasm ? wasm.apply(src, step(), params) : typescript(src, params);
  };
}
