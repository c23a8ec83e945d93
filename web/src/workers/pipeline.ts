import { autocontrast, autocontrastSimd } from './kernels/autocontrast';
import { backgroundRemoval, backgroundRemovalSimd } from './kernels/background_removal';
import { binarize, binarizeSimd } from './kernels/binarize';
import { blur, blurSimd } from './kernels/blur';
import { cropDocument, cropDocumentSimd } from './kernels/crop_document';
import { grayscale, grayscaleSimd } from './kernels/grayscale';
import type { RgbaImage } from './kernels/image';
import { resize, resizeSimd } from './kernels/resize';
import { simd, type Segment, type SimdStep } from './simd';

/** The ops of the `preprocessing` pipeline, in the order they run (docs/contract.md). */
export const PREPROCESSING_ORDER = [
  'resize',
  'crop_document',
  'background_removal',
  'grayscale',
  'autocontrast',
  'blur',
  'binarize',
] as const;

export type OpName = (typeof PREPROCESSING_ORDER)[number];
export type OpParams = Record<string, unknown>;
/** What a pipeline's `params` maps an op to: on with defaults, on with params, or off. */
export type OpSetting = boolean | OpParams | 'client' | 'server' | undefined;
export type PipelineParams = Partial<Record<OpName | 'rembg', OpSetting>> & Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kernel = (src: RgbaImage, params: any) => RgbaImage;

export const KERNELS: Record<OpName, Kernel> = {
  resize,
  crop_document: cropDocument,
  background_removal: backgroundRemoval,
  grayscale,
  autocontrast,
  blur,
  binarize,
};

/** The ops with a WebAssembly SIMD form, which a chain runs in one Segment. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SIMD_STEPS: Partial<Record<OpName, SimdStep<any, any>>> = {
  resize: resizeSimd,
  crop_document: cropDocumentSimd,
  background_removal: backgroundRemovalSimd,
  grayscale: grayscaleSimd,
  autocontrast: autocontrastSimd,
  blur: blurSimd,
  binarize: binarizeSimd,
};

export interface Step {
  op: OpName;
  params: OpParams;
}

/** Resolve a `params` map into the ordered steps that are on. `rembg` is background_removal's
 *  alias, and "client"/"server" are routing hints that mean "on, with defaults". */
export function planSteps(pipelineId: string, params: PipelineParams): Step[] {
  if (pipelineId === 'rembg') return [{ op: 'background_removal', params: { ...(params as OpParams) } }];
  if (pipelineId !== 'preprocessing') throw new Error(`the workers cannot run pipeline "${pipelineId}"`);
  const steps: Step[] = [];
  for (const op of PREPROCESSING_ORDER) {
    if (!isOn(params, op)) continue;
    const setting = opSetting(params, op);
    steps.push({ op, params: typeof setting === 'object' ? { ...setting } : {} });
  }
  return steps;
}

const isHint = (v: unknown): v is 'client' | 'server' => v === 'client' || v === 'server';

/**
 * An op's setting in `params`, through background_removal's alias `rembg`. Given under both names
 * (the contract's client adds `background_removal: "server"` to params holding `rembg: "client"`),
 * a routing hint joins the other setting, "server" winning as the hint; the twin of the server's
 * `pipeline._combine`, which also refuses two settings that disagree.
 */
export function opSetting(params: Record<string, unknown>, op: string): unknown {
  if (op !== 'background_removal') return params[op];
  const [a, b] = [params.background_removal, params.rembg];
  if (a === undefined || b === undefined) return a ?? b;
  if (isHint(a) && isHint(b)) return a === 'server' || b === 'server' ? 'server' : 'client';
  return isHint(a) ? b : a;
}

/** Whether `params` switch `op` on (any setting but absent, false or null). */
export function isOn(params: Record<string, unknown>, op: string): boolean {
  const setting = opSetting(params, op);
  return setting !== undefined && setting !== false && setting !== null;
}

export interface StepTiming {
  op: OpName;
  ms: number;
  /** Which form of the kernel ran: the WebAssembly SIMD one or the TypeScript one. */
  engine: 'simd' | 'typescript';
}

/** Run the steps one after the other. Consecutive ops with a SIMD form share one Segment, so
 *  the image stays in WebAssembly memory between them; copying it in counts towards the first
 *  op's time and copying it out towards the last's. */
export function runSteps(src: RgbaImage, steps: Step[], now: () => number = () => performance.now()): {
  image: RgbaImage;
  timings: StepTiming[];
} {
  const wasm = simd();
  let image = src;
  let segment: Segment | null = null;
  const timings: StepTiming[] = [];
  const leaveSegment = (open: Segment) => {
    const t0 = now();
    image = open.close();
    timings[timings.length - 1].ms += now() - t0;
    segment = null;
  };
  for (const step of steps) {
    const t0 = now();
    const fast = SIMD_STEPS[step.op];
    const [width, height] = segment ? [segment.width, segment.height] : [image.width, image.height];
    if (wasm && fast && wasm.covers(fast, step.params, width, height)) {
      segment = (segment ?? wasm.open(image)).apply(fast, step.params);
      timings.push({ op: step.op, ms: now() - t0, engine: 'simd' });
      continue;
    }
    if (segment) leaveSegment(segment);
    const t1 = now();
    image = KERNELS[step.op](image, step.params);
    timings.push({ op: step.op, ms: now() - t1, engine: 'typescript' });
  }
  if (segment) leaveSegment(segment);
  return { image, timings };
}
