/**
 * Runs the worker kernels in Node for the parity suite (tests/test_parity.py):
 *   node dist-node/run-kernel.mjs <in.rgba> <width> <height> <out.rgba> <request-json>
 * where request is {"op": name, "params": {...}} for one kernel or {"pipeline_id", "params"} for
 * a pipeline. Prints {"width", "height", "timings"} of the result on stdout.
 *
 * Two more forms serve the contract tests (tests/test_contract*.py):
 *   node dist-node/run-kernel.mjs --contract     prints the contract this build was made with;
 *   node dist-node/run-kernel.mjs --validate     reads {"pipeline_id", "params"} lines on stdin and
 *     answers each with {"ok": true} or {"ok": false, "op", "field", "message"}: the browser's
 *     verdict on params, as planSteps gives it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CONTRACT, InvalidParams } from '../src/contract';
import { findPage, pageReport } from '../src/workers/kernels/page/finder';
import { makeImage } from '../src/workers/kernels/image';
import { KERNELS, planSteps, runSteps, type OpName, type PipelineParams, type Step } from '../src/workers/pipeline';

if (process.argv[2] === '--contract') {
  process.stdout.write(JSON.stringify(CONTRACT) + '\n');
  process.exit(0);
}
if (process.argv[2] === '--validate') {
  for await (const line of createInterface({ input: process.stdin })) {
    const { pipeline_id: pipelineId, params } = JSON.parse(line) as { pipeline_id: string; params: PipelineParams };
    let answer: object = { ok: true };
    try {
      planSteps(pipelineId, params);
    } catch (e) {
      if (!(e instanceof InvalidParams)) throw e;
      answer = { ok: false, op: e.op, field: e.field, message: e.message };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
  process.exit(0);
}

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
