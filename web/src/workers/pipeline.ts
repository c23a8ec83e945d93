import { autocontrast } from './kernels/autocontrast';
import { backgroundRemoval } from './kernels/background_removal';
import { binarize } from './kernels/binarize';
import { blur } from './kernels/blur';
import { cropDocument } from './kernels/crop_document';
import { grayscale } from './kernels/grayscale';
import type { RgbaImage } from './kernels/image';
import { resize } from './kernels/resize';

/** The ops of the `preprocessing` pipeline, in the order they run (DESIGN.md). */
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
    const setting = op === 'background_removal' ? (params.background_removal ?? params.rembg) : params[op];
    if (setting === undefined || setting === false || setting === null) continue;
    steps.push({ op, params: typeof setting === 'object' ? { ...setting } : {} });
  }
  return steps;
}

export interface StepTiming {
  op: OpName;
  ms: number;
}

/** Run the steps one after the other; `checkAbort` lets a caller stop between ops. */
export function runSteps(src: RgbaImage, steps: Step[], now: () => number = () => performance.now()): {
  image: RgbaImage;
  timings: StepTiming[];
} {
  let image = src;
  const timings: StepTiming[] = [];
  for (const step of steps) {
    const t0 = now();
    image = KERNELS[step.op](image, step.params);
    timings.push({ op: step.op, ms: now() - t0 });
  }
  return { image, timings };
}
