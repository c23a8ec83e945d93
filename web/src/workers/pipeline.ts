import { autocontrast, autocontrastSimd } from './kernels/autocontrast';
import { backgroundRemoval, backgroundRemovalSimd } from './kernels/background_removal';
import { binarize, binarizeSimd } from './kernels/binarize';
import { blur, blurSimd } from './kernels/blur';
import { cropDocument, cropDocumentSimd, perspectiveTransform } from './kernels/crop_document';
import { grayscale, grayscaleSimd } from './kernels/grayscale';
import type { RgbaImage } from './kernels/image';
import { takeReport, type PageReport } from './kernels/page/finder';
import { resize, resizeSimd } from './kernels/resize';
import { namesOf, pipelineInfo, settingOf, validatePipeline } from '../contract';
import { simdFor, type Segment, type Simd, type SimdStep } from './simd';

/** The ops of the `preprocessing` pipeline, in the order they run: the contract's (the Python
 *  registry's), never restated here. */
export const PREPROCESSING_ORDER: readonly string[] = pipelineInfo('preprocessing').ops;

/** An op's name, as the contract spells it. */
export type OpName = string;
export type OpParams = Record<string, unknown>;
/** What a pipeline's `params` maps an op to: on with defaults, on with params, or off. */
export type OpSetting = boolean | OpParams | 'client' | 'server' | undefined;
export type PipelineParams = Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kernel = (src: RgbaImage, params: any) => RgbaImage;

/** The browser's kernel for each op of the contract (tests/contract.test.ts: one for every op). */
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
export const SIMD_STEPS: Record<OpName, SimdStep<any, any>> = {
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

/**
 * Resolve a pipeline's `params` into the ordered steps that are on, validated against the contract
 * as the server validates them (contract/index.ts): aliases (`rembg`), routing hints ("client",
 * "server": on, with defaults), ranges, odd sizes and unknown names. Anything the browser cannot
 * run is refused here, loudly: an op of the contract without a kernel is an error, never skipped
 * (a skipped op would put a different image under the same cache key).
 */
export function planSteps(pipelineId: string, params: PipelineParams): Step[] {
  return validatePipeline(pipelineId, params).map(({ op, params: given }) => {
    if (!Object.hasOwn(KERNELS, op)) throw new Error(`the browser's workers have no kernel for op '${op}' of pipeline '${pipelineId}'`);
    return { op, params: { ...given } };
  });
}

/**
 * An op's setting in `params`, read through its aliases (background_removal's `rembg`). Given under
 * both names (the contract's client adds `background_removal: "server"` to params holding
 * `rembg: "client"`), a routing hint joins the other setting, "server" winning as the hint; two
 * settings that disagree are refused by planSteps, and read here as the first one.
 */
export function opSetting(params: Record<string, unknown>, op: string): unknown {
  try {
    return settingOf(params, op);
  } catch {
    return namesOf(op).map((name) => params[name]).find((v) => v !== undefined);
  }
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
    const [width, height]: [number, number] = segment ? [segment.width, segment.height] : [image.width, image.height];
    const wasm: Simd | null = simdFor(fast, step.params, width, height);
    if (wasm) {
      const open: Segment = (segment ?? wasm.open(image)).apply(fast, step.params);
      segment = open;
      timings.push({ op: step.op, ms: now() - t0, engine: 'simd' });
      noteFinding(step, [width, height], [open.width, open.height]);
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
