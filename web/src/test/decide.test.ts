import { describe, expect, it } from 'vitest';
import { CLIENT_MAX_BYTES, MAX_QUEUE_DEPTH, OP_BUDGET_MS, decide, opBudgetMs, type RoutingInput } from '../routing/decide';

const small: RoutingInput = { bytes: 200_000, width: 720, height: 540, params: { grayscale: {} }, queueDepth: 0 };

describe('decide', () => {
  it('keeps a small image with plain params in the workers', () => {
    expect(decide(small)).toEqual({
      backend: 'client-workers',
      rule: 'within-limits',
      reason: "The image is within the client limits, so the browser's workers run it.",
    });
  });

  it('sends everything to the server when the user forces it', () => {
    expect(decide({ ...small, forceServer: true })).toMatchObject({ backend: 'server', rule: 'forced', reason: 'You switched on "Run on server".' });
  });

  it.each([{ background_removal: 'server' }, { rembg: 'server' }])('follows a "server" hint in the params (%o)', (params) => {
    expect(decide({ ...small, params })).toMatchObject({ backend: 'server', rule: 'hint', reason: 'The params ask for background removal on the server.' });
  });

  it('keeps a "client" hint in the workers', () => {
    expect(decide({ ...small, params: { background_removal: 'client' } }).backend).toBe('client-workers');
  });

  it('sends an image over 2 MB to the server, saying how big it is', () => {
    expect(decide({ ...small, bytes: 3.5 * 1024 * 1024 })).toMatchObject({
      backend: 'server',
      rule: 'bytes',
      reason: 'The image is 3.5 MB, over the 2 MB client limit.',
    });
    expect(decide({ ...small, bytes: CLIENT_MAX_BYTES }).backend).toBe('client-workers'); // the limit itself is allowed
  });

  it('sends an image whose long side is over 2048 px to the server', () => {
    expect(decide({ ...small, width: 3000, height: 2200 })).toMatchObject({
      backend: 'server',
      rule: 'side',
      reason: 'The image is 3000×2200, its long side over the 2048 px client limit.',
    });
    expect(decide({ ...small, width: 1500, height: 2049 }).rule).toBe('side');
    expect(decide({ ...small, width: 2048, height: 2048 }).backend).toBe('client-workers');
  });

  it('sends work to the server when the queue is deeper than 4', () => {
    expect(decide({ ...small, queueDepth: MAX_QUEUE_DEPTH }).backend).toBe('client-workers');
    expect(decide({ ...small, queueDepth: 5 })).toMatchObject({
      backend: 'server',
      rule: 'saturated',
      reason: "The browser's workers are saturated (5 tasks queued or running, more than 4).",
    });
  });

  it('sends work to the server when an op that is on ran over its budget', () => {
    const input = { ...small, params: { blur: { kernelSize: 5 } }, lastOpMs: { blur: 45 } };
    expect(decide(input)).toMatchObject({
      backend: 'server',
      rule: 'over-budget',
      reason: 'blur took 45 ms in the browser, over its 30 ms budget for this image.',
    });
  });

  it('ignores a slow op that is switched off, and one within its budget', () => {
    expect(decide({ ...small, params: { grayscale: {} }, lastOpMs: { blur: 500 } }).backend).toBe('client-workers');
    expect(decide({ ...small, params: { blur: {} }, lastOpMs: { blur: OP_BUDGET_MS.blur } }).backend).toBe('client-workers');
  });

  it('counts background removal under its alias too', () => {
    expect(decide({ ...small, params: { rembg: true }, lastOpMs: { background_removal: 400 } }).rule).toBe('over-budget');
  });

  it('scales a budget with the pixel count above the reference frame, never below it', () => {
    expect(opBudgetMs('blur', 100, 100)).toBe(OP_BUDGET_MS.blur);
    expect(opBudgetMs('blur', 4096, 1536)).toBe(2 * OP_BUDGET_MS.blur);
    expect(opBudgetMs('unknown', 100, 100)).toBeUndefined();
  });

  it('applies the rules in order: the switch, the hint, the limits, the queue, the budget', () => {
    const all: RoutingInput = {
      bytes: 5 * 1024 * 1024,
      width: 3000,
      height: 2000,
      params: { rembg: 'server', blur: {} },
      queueDepth: 9,
      lastOpMs: { blur: 1e4 },
      forceServer: true,
    };
    expect(decide(all).rule).toBe('forced');
    expect(decide({ ...all, forceServer: false }).rule).toBe('hint');
    expect(decide({ ...all, forceServer: false, params: { blur: {} } }).rule).toBe('bytes');
    expect(decide({ ...all, forceServer: false, params: { blur: {} }, bytes: 1 }).rule).toBe('side');
    expect(decide({ ...all, forceServer: false, params: { blur: {} }, bytes: 1, width: 10, height: 10 }).rule).toBe('saturated');
  });
  it('sends background removal to the server on a low-end device (the contract\'s device downgrade)', () => {
    const rembg = { ...small, params: { background_removal: { strength: 1 } } };
    expect(decide({ ...rembg, device: { memoryGb: 1, cores: 4 } })).toMatchObject({
      backend: 'server',
      rule: 'device',
      reason: 'This device reports 1 GB of memory, so background removal runs on the server.',
    });
    expect(decide({ ...rembg, device: { memoryGb: 8, cores: 1 } })).toMatchObject({ rule: 'device', reason: 'This device has a single core, so background removal runs on the server.' });
    expect(decide({ ...rembg, params: { rembg: true }, device: { memoryGb: 0.5 } }).rule).toBe('device');
    // A capable or unknown device keeps it, and other ops stay in the workers on any device.
    expect(decide({ ...rembg, device: { memoryGb: 2, cores: 2 } }).backend).toBe('client-workers');
    expect(decide({ ...rembg, device: {} }).backend).toBe('client-workers');
    expect(decide({ ...small, device: { memoryGb: 0.25, cores: 1 } }).backend).toBe('client-workers');
  });
});
