/**
 * Where one render runs: in the browser's workers or on the server. A pure function, so every
 * rule (and the sentence shown to the user for it) is unit-tested without a browser.
 *
 * The browser previews any image in its workers: one over the client limit is held as a proxy (a
 * copy scaled by a whole factor, made once on open; workers/proxy.ts), and a resize past the limit
 * is capped there. The full-resolution result comes from the server when the user asks for it
 * (the "Run on server" switch, Download PNG). Work moves to the server on its own only where the
 * server was measured to be faster, and comes back when it no longer is.
 */

import { isOn } from '../workers/pipeline';
import { CLIENT_MAX_SIDE, CONTRACT, namesOf } from '../contract';
import { proxyParams, scaleLabel } from '../workers/proxy';

export { CLIENT_MAX_SIDE };
/** More queued + running tasks than this and the workers are saturated. */
export const MAX_QUEUE_DEPTH = 4;

/**
 * What each client op may take on the reference frame (a 2048×1536 photo, the frame of the worker
 * targets in bench/web.py). An op over it is slow on this device, so the server is timed on the
 * same work; smaller images keep the reference budget, since per-call overheads do not shrink with
 * the image, and larger ones (never held by the workers) scale it with the pixel count.
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

export type RuleName =
  | 'forced'
  | 'hint'
  | 'device'
  | 'saturated'
  | 'faster-on-server'
  | 'slower-on-server'
  | 'over-budget'
  | 'proxy'
  | 'within-limits';

export interface Decision {
  backend: Backend;
  /** Which rule decided, for telemetry and tests. */
  rule: RuleName;
  /** One sentence for the status line. */
  reason: string;
  /** The picture's size against the full-resolution result's: 1 on the server, and in the
   *  browser unless the image is held as a proxy or a resize goes past the client limit. */
  scale: number;
  /** Also time the server on this render, in the background (nothing is measured there yet). */
  probe?: boolean;
}

export interface RoutingInput {
  /** The image as opened (its full size, not the proxy's). */
  width: number;
  height: number;
  /** The workers hold the image at 1/factor of this size (1: the image itself). */
  factor?: number;
  /** The client limit on the long side (GET /api/pipelines `client_limits.max_side`). */
  maxSide?: number;
  /** The pipeline params as they will be sent (and hashed). */
  params: Record<string, unknown>;
  /** The worker pool's queued + running tasks right now. */
  queueDepth: number;
  /** Each op's recent client time on this image (the caller decides what "recent" means; the
   *  Studio passes the faster of its last two runs). */
  lastOpMs?: Readonly<Record<string, number>>;
  /** A whole render's recent time on this image, request to picture: in the browser, and on the
   *  server (the round trip, upload and PNG included). Undefined until measured. */
  clientMs?: number;
  serverMs?: number;
  /** The user's "Run on server" switch. */
  forceServer?: boolean;
  device?: DeviceInfo;
}

/** The params ask for the server: an op with routing hints (background_removal), under its name
 *  or an alias (rembg), set to "server" (the twin of the server's `pipeline.server_hint`). */
export function hasServerHint(params: Record<string, unknown>): boolean {
  return Object.entries(CONTRACT.ops).some(
    ([op, info]) => info.routing_hints.includes('server') && namesOf(op).some((name) => params[name] === 'server'),
  );
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

/** An op that is on in these params and last ran over its budget on the image the workers hold. */
function overBudget(input: RoutingInput, factor: number): { op: string; ms: number; budget: number } | null {
  for (const [op, ms] of Object.entries(input.lastOpMs ?? {})) {
    if (!isOn(input.params, op)) continue;
    const budget = opBudgetMs(op, input.width / factor, input.height / factor);
    if (budget !== undefined && ms > budget) return { op, ms, budget };
  }
  return null;
}

/** Why the workers preview at less than full size (or from a proxy), or null when they do not.
 *  The Studio's label beside the picture says where the full resolution comes from. */
function proxyReason(input: RoutingInput, factor: number, scale: number, maxSide: number): string | null {
  const size = `The image is ${input.width}×${input.height}, over the ${maxSide} px client limit`;
  if (factor > 1 && scale === 1) return `${size}, so the browser's workers resize a 1/${factor}-scale copy of it to the size asked for.`;
  if (factor > 1) return `${size}, so the browser's workers preview a ${scaleLabel(scale)}-scale copy of it.`;
  if (scale < 1) return `Resize goes past the ${maxSide} px client limit, so the browser's workers preview it at ${scaleLabel(scale)} scale.`;
  return null;
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

export function decide(input: RoutingInput): Decision {
  const server = (rule: RuleName, reason: string): Decision => ({ backend: 'server', rule, reason, scale: 1 });
  if (input.forceServer) return server('forced', 'You switched on "Run on server".');
  if (hasServerHint(input.params)) return server('hint', 'The params ask for background removal on the server.');
  const weak = weakDevice(input);
  if (weak) return server('device', `${weak}, so background removal runs on the server.`);
  if (input.queueDepth > MAX_QUEUE_DEPTH) {
    return server('saturated', `The browser's workers are saturated (${input.queueDepth} tasks queued or running, more than ${MAX_QUEUE_DEPTH}).`);
  }
  const factor = input.factor ?? 1;
  const maxSide = input.maxSide ?? CLIENT_MAX_SIDE;
  const scale = proxyParams(input.params, factor, maxSide).scale;
  const client = (rule: RuleName, reason: string, probe = false): Decision => ({ backend: 'client-workers', rule, reason, scale, ...(probe ? { probe } : {}) });
  // Timings compare like with like only when the workers make the full-resolution picture: a
  // proxy preview is always the cheaper way to see it, and the server's render is the full one.
  const slow = factor === 1 && scale === 1 ? overBudget(input, factor) : null;
  if (slow) {
    const over = `${slow.op} took ${ms(slow.ms)} here, over its ${ms(slow.budget)} budget`;
    const { clientMs, serverMs } = input;
    if (serverMs === undefined || clientMs === undefined) {
      return client('over-budget', `${over}; the server is timed on the same render, in the background, to see whether it is faster.`, true);
    }
    const times = `(the browser ${ms(clientMs)} a render)`;
    if (serverMs < clientMs) return server('faster-on-server', `${over}, and the server answered in ${ms(serverMs)} ${times}, so the server runs it.`);
    return client('slower-on-server', `${over}, but the server took ${ms(serverMs)} ${times}, so the browser's workers keep it.`);
  }
  const proxy = proxyReason(input, factor, scale, maxSide);
  if (proxy) return client('proxy', proxy);
  return client('within-limits', "The image is within the client limits, so the browser's workers run it.");
}
