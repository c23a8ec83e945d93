import { autocontrast, autocontrastSimd } from './kernels/autocontrast';
import { backgroundRemoval, backgroundRemovalSimd } from './kernels/background_removal';
import { binarize, binarizeSimd } from './kernels/binarize';
import { blur, blurSimd } from './kernels/blur';
import { cropDocument, cropDocumentSimd, perspectiveTransform } from './kernels/crop_document';
import { grayscale, grayscaleSimd } from './kernels/grayscale';
import type { RgbaImage } from './kernels/image';
import { takeReport, type PageReport } from './kernels/page/finder';
import { resize, resizeSimd } from './kernels/resize';
import { simd, type Segment, type SimdStep } from './simd';

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

/** An op's setting in `params`, through background_removal's alias `rembg`. */
export function opSetting(params: Record<string, unknown>, op: string): unknown {
  return op === 'background_removal' ? (params.background_removal ?? params.rembg) : params[op];
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
  /** What the op found (crop_document, background_removal: the page), in the input's pixels. */
  report?: PageReport;
}

type Matrix = number[]; // 3×3, row-major

function multiply(a: Matrix, b: Matrix): Matrix {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c];
  return out;
}

/** The map from a step's output pixels back to its input's, for the ops that move pixels (as
 *  imaging/pipeline.py): resize scales (pixel centres kept), crop_document warps the page. */
function toInputOf(op: OpName, before: [number, number], after: [number, number], report: PageReport | undefined): Matrix | null {
  if (op === 'resize') {
    const sx = before[0] / after[0];
    const sy = before[1] / after[1];
    return [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5, 0, 0, 1];
  }
  if (op === 'crop_document' && report?.quad) {
    const [w, h] = after;
    return perspectiveTransform([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], report.quad);
  }
  return null;
}

function inInputPixels(report: PageReport, m: Matrix): PageReport {
  if (!report.quad) return report;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const quad = report.quad.map(([x, y]) => {
    const z = m[6] * x + m[7] * y + m[8];
    return [r2((m[0] * x + m[1] * y + m[2]) / z), r2((m[3] * x + m[4] * y + m[5]) / z)] as [number, number];
  });
  return { ...report, quad };
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
  let toInput: Matrix = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  // Each page op leaves its finding behind; what the step found is attached to its timing.
  takeReport();
  const noteFinding = (step: Step, before: [number, number], after: [number, number]) => {
    const found = takeReport() ?? undefined;
    if (found) timings[timings.length - 1].report = inInputPixels(found, toInput);
    const moved = toInputOf(step.op, before, after, found);
    if (moved) toInput = multiply(toInput, moved);
  };
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
      noteFinding(step, [width, height], [segment.width, segment.height]);
      continue;
    }
    if (segment) leaveSegment(segment);
    const t1 = now();
    image = KERNELS[step.op](image, step.params);
    timings.push({ op: step.op, ms: now() - t1, engine: 'typescript' });
    noteFinding(step, [width, height], [image.width, image.height]);
  }
  if (segment) leaveSegment(segment);
  return { image, timings };
}
