/**
 * Runs the worker kernels in Node for the parity suite (tests/test_parity.py):
 *   node dist-node/run-kernel.mjs <in.rgba> <width> <height> <out.rgba> <request-json>
 * where request is {"op": name, "params": {...}} for one kernel or {"pipeline_id", "params"} for
 * a pipeline. Prints {"width", "height", "timings"} of the result on stdout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { findPage, pageReport } from '../src/workers/kernels/page/finder';
import { makeImage } from '../src/workers/kernels/image';
import { KERNELS, planSteps, runSteps, type OpName, type PipelineParams, type Step } from '../src/workers/pipeline';

const [inPath, width, height, outPath, requestJson] = process.argv.slice(2);
const request = JSON.parse(requestJson) as {
  op?: OpName;
  pipeline_id?: string;
  params?: Record<string, unknown>;
  probe?: 'page_quad';
};
const bytes = readFileSync(inPath);
const src = makeImage(Number(width), Number(height), new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.byteLength));

if (request.probe === 'page_quad') {
  // Geometry only: the corners crop_document would use.
  const finding = findPage(src);
  process.stdout.write(JSON.stringify({ corners: finding.quad, report: pageReport(finding) }) + '\n');
  process.exit(0);
}

let steps: Step[];
if (request.op) {
  if (!(request.op in KERNELS)) throw new Error(`unknown op ${request.op}`);
  steps = [{ op: request.op, params: request.params ?? {} }];
} else {
  steps = planSteps(request.pipeline_id ?? 'preprocessing', (request.params ?? {}) as PipelineParams);
}
// OCRP_REPEAT=n runs the steps n times and reports each op's median time over the runs after the
// first (a warm JIT), for quick profiling.
const repeat = Math.max(1, Number(process.env.OCRP_REPEAT ?? 1));
let { image, timings } = runSteps(src, steps);
const runs: number[][] = [];
for (let i = 1; i < repeat; i++) {
  ({ image, timings } = runSteps(src, steps));
  runs.push(timings.map((t) => t.ms));
}
if (runs.length) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  timings = timings.map((t, k) => ({ ...t, ms: median(runs.map((r) => r[k])) }));
}
writeFileSync(outPath, image.data);
process.stdout.write(JSON.stringify({ width: image.width, height: image.height, timings }) + '\n');
