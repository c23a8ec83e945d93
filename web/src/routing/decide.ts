/**
 * Where one render runs: in the browser's workers or on the server. A pure function, so every
 * rule (and the sentence shown to the user for it) is unit-tested without a browser.
 *
 * The image limits are DESIGN.md's (the server applies the same ones in its own /preview routing);
 * the rest are things only the browser knows: its queue, how fast its kernels just ran, and what
 * the user asked for.
 */

import { isOn } from '../workers/pipeline';

export const CLIENT_MAX_BYTES = 2 * 1024 * 1024;
export const CLIENT_MAX_SIDE = 2048;
/** More queued + running tasks than this and the workers are saturated (issue 5). */
export const MAX_QUEUE_DEPTH = 4;

/**
 * What each client op may take on the reference frame of the P3 targets (a 2048×1536 photo,
 * bench/web.py). Past it the device is too slow for that op, so renders using it go to the server.
 * For larger images the budget grows with the pixel count; smaller images keep the reference
 * budget, since per-call overheads do not shrink with the image.
 */
export const OP_BUDGET_MS: Readonly<Record<string, number>> = {
  resize: 60,
  crop_document: 150,
  background_removal: 150,
  grayscale: 15,
  autocontrast: 15,
  blur: 30,
  binarize: 30,
};
export const BUDGET_REFERENCE_PIXELS = 2048 * 1536;

/** The contract's "device downgrade": at or below this much memory (navigator.deviceMemory, in
 *  GB, which browsers round to 0.25, 0.5, 1, 2, 4 or 8), or with a single core, background removal
 *  (the heaviest op: a full-size float mask and a 64 KB table per pixel row) goes to the server
 *  from the first render, before any timing could say so. */
export const LOW_DEVICE_MEMORY_GB = 1;

/** What the browser says about the device; either may be unknown (Firefox and Safari give no
 *  deviceMemory). */
export interface DeviceInfo {
  memoryGb?: number;
  cores?: number;
}

/** This browser's DeviceInfo. */
export function deviceInfo(): DeviceInfo {
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  return { memoryGb: nav?.deviceMemory, cores: nav?.hardwareConcurrency };
}

export type Backend = 'client-workers' | 'server';

export type RuleName = 'forced' | 'hint' | 'bytes' | 'side' | 'device' | 'saturated' | 'over-budget' | 'within-limits';

export interface Decision {
  backend: Backend;
  /** Which rule decided, for telemetry and tests. */
  rule: RuleName;
  /** One sentence for the status line. */
  reason: string;
}

export interface RoutingInput {
  bytes: number;
  width: number;
  height: number;
  /** The pipeline params as they will be sent (and hashed). */
  params: Record<string, unknown>;
  /** The worker pool's queued + running tasks right now. */
  queueDepth: number;
  /** Each op's recent client time on this image (the caller decides what "recent" means; the
   *  Studio passes the faster of its last two runs). */
  lastOpMs?: Readonly<Record<string, number>>;
  /** The user's "Run on server" switch. */
  forceServer?: boolean;
  device?: DeviceInfo;
}

const MB = 1024 * 1024;

/** The params ask for the server: background_removal (or its alias rembg) set to "server". */
export function hasServerHint(params: Record<string, unknown>): boolean {
  return params.background_removal === 'server' || params.rembg === 'server';
}

export function opBudgetMs(op: string, width: number, height: number): number | undefined {
  const budget = OP_BUDGET_MS[op];
  if (budget === undefined) return undefined;
  return budget * Math.max(1, (width * height) / BUDGET_REFERENCE_PIXELS);
}

/** Why this device should not run background removal itself, or null. */
function weakDevice(input: RoutingInput): string | null {
  if (!isOn(input.params, 'background_removal')) return null;
  const { memoryGb, cores } = input.device ?? {};
  if (memoryGb !== undefined && memoryGb <= LOW_DEVICE_MEMORY_GB) return `This device reports ${memoryGb} GB of memory`;
  if (cores === 1) return 'This device has a single core';
  return null;
}

/** An op that is on in these params and last ran over its budget on this image, if any. */
function overBudget(input: RoutingInput): { op: string; ms: number; budget: number } | null {
  for (const [op, ms] of Object.entries(input.lastOpMs ?? {})) {
    if (!isOn(input.params, op)) continue;
    const budget = opBudgetMs(op, input.width, input.height);
    if (budget !== undefined && ms > budget) return { op, ms, budget };
  }
  return null;
}

export function decide(input: RoutingInput): Decision {
  const server = (rule: RuleName, reason: string): Decision => ({ backend: 'server', rule, reason });
  if (input.forceServer) return server('forced', 'You switched on "Run on server".');
  if (hasServerHint(input.params)) return server('hint', 'The params ask for background removal on the server.');
  if (input.bytes > CLIENT_MAX_BYTES) {
    return server('bytes', `The image is ${(input.bytes / MB).toFixed(1)} MB, over the ${CLIENT_MAX_BYTES / MB} MB client limit.`);
  }
  if (Math.max(input.width, input.height) > CLIENT_MAX_SIDE) {
    return server('side', `The image is ${input.width}×${input.height}, its long side over the ${CLIENT_MAX_SIDE} px client limit.`);
  }
  const weak = weakDevice(input);
  if (weak) return server('device', `${weak}, so background removal runs on the server.`);
  if (input.queueDepth > MAX_QUEUE_DEPTH) {
    return server('saturated', `The browser's workers are saturated (${input.queueDepth} tasks queued or running, more than ${MAX_QUEUE_DEPTH}).`);
  }
  const slow = overBudget(input);
  if (slow) {
    return server(
      'over-budget',
      `${slow.op} took ${slow.ms.toFixed(0)} ms in the browser, over its ${slow.budget.toFixed(0)} ms budget for this image.`,
    );
  }
  return { backend: 'client-workers', rule: 'within-limits', reason: 'The image is within the client limits, so the browser\'s workers run it.' };
}
