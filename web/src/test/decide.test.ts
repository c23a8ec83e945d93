import { describe, expect, it } from 'vitest';
import { MAX_QUEUE_DEPTH, OP_BUDGET_MS, decide, opBudgetMs, type RoutingInput } from '../routing/decide';

const small: RoutingInput = { width: 720, height: 540, params: { grayscale: {} }, queueDepth: 0 };
/** A 12 MP phone photo, held by the workers as its 1/2-scale proxy. */
const phone: RoutingInput = { width: 4032, height: 3024, factor: 2, params: { grayscale: {} }, queueDepth: 0 };

describe('decide', () => {
  it('keeps a small image with plain params in the workers, at full size', () => {
    expect(decide(small)).toEqual({
      backend: 'client-workers',
      rule: 'within-limits',
      reason: "The image is within the client limits, so the browser's workers run it.",
      scale: 1,
    });
  });

  it('sends everything to the server when the user forces it', () => {
    expect(decide({ ...phone, forceServer: true })).toEqual({ backend: 'server', rule: 'forced', reason: 'You switched on "Run on server".', scale: 1 });
  });

  it.each([{ background_removal: 'server' }, { rembg: 'server' }, { rembg: 'client', background_removal: 'server' }])(
    'follows a "server" hint in the params (%o)',
    (params) => {
      expect(decide({ ...small, params })).toMatchObject({ backend: 'server', rule: 'hint', reason: 'The params ask for background removal on the server.' });
    },
  );

  it('keeps a "client" hint in the workers', () => {
    expect(decide({ ...small, params: { background_removal: 'client' } }).backend).toBe('client-workers');
  });

  describe('a phone photo', () => {
    it('is previewed in the workers on its proxy, at 1/2 scale, saying where the full resolution comes from', () => {
      expect(decide(phone)).toEqual({
        backend: 'client-workers',
        rule: 'proxy',
        reason: "The image is 4032×3024, over the 2048 px client limit, so the browser's workers preview a 1/2-scale copy of it.",
        scale: 0.5,
      });
      expect(decide({ ...phone, width: 7000, height: 5000, factor: 4 })).toMatchObject({ rule: 'proxy', scale: 0.25 });
    });

    it('is previewed at the full result size when resize brings it within the limit (the size after resize counts)', () => {
      const resized = decide({ ...phone, params: { resize: { maxSide: 1024 }, blur: { kernelSize: 5 } } });
      expect(resized).toMatchObject({ backend: 'client-workers', rule: 'proxy', scale: 1 });
      expect(resized.reason).toBe("The image is 4032×3024, over the 2048 px client limit, so the browser's workers resize a 1/2-scale copy of it to the size asked for.");
    });

    it('is capped at the limit when resize grows past it, on any image', () => {
      expect(decide({ ...small, params: { resize: { maxSide: 8192 } } })).toMatchObject({
        backend: 'client-workers',
        rule: 'proxy',
        scale: 0.25,
        reason: "Resize goes past the 2048 px client limit, so the browser's workers preview it at 1/4 scale.",
      });
      expect(decide({ ...phone, params: { resize: { maxSide: 2048 } } }).scale).toBe(1);
      expect(decide({ ...small, params: { resize: { maxSide: 2048 } } }).rule).toBe('within-limits');
    });

    it('reads the limit it is given', () => {
      expect(decide({ ...small, width: 1500, height: 1000, factor: 2, maxSide: 1000 })).toMatchObject({ rule: 'proxy', scale: 0.5 });
      expect(decide({ ...small, maxSide: 1000 }).rule).toBe('within-limits');
    });
  });

  it('sends work to the server when the queue is deeper than 4', () => {
    expect(decide({ ...small, queueDepth: MAX_QUEUE_DEPTH }).backend).toBe('client-workers');
    expect(decide({ ...small, queueDepth: 5 })).toMatchObject({
      backend: 'server',
      rule: 'saturated',
      reason: "The browser's workers are saturated (5 tasks queued or running, more than 4).",
    });
  });

  describe('an op over its budget', () => {
    const slow = { ...small, params: { blur: { kernelSize: 17 } }, lastOpMs: { blur: 110 } };

    it('stays in the workers and has the server timed in the background while nothing is measured there', () => {
      expect(decide(slow)).toEqual({
        backend: 'client-workers',
        rule: 'over-budget',
        reason: 'blur took 110 ms here, over its 30 ms budget; the server is timed on the same render, in the background, to see whether it is faster.',
        scale: 1,
        probe: true,
      });
      expect(decide({ ...slow, serverMs: 50 }).rule).toBe('over-budget'); // the browser's own time is not known yet
    });

    it('moves to the server only when the server was measured faster', () => {
      expect(decide({ ...slow, clientMs: 120, serverMs: 60 })).toEqual({
        backend: 'server',
        rule: 'faster-on-server',
        reason: 'blur took 110 ms here, over its 30 ms budget, and the server answered in 60 ms (the browser 120 ms a render), so the server runs it.',
        scale: 1,
      });
    });

    it('stays in (or moves back to) the workers when the server is not faster', () => {
      const kept = decide({ ...slow, clientMs: 120, serverMs: 480 });
      expect(kept).toEqual({
        backend: 'client-workers',
        rule: 'slower-on-server',
        reason: "blur took 110 ms here, over its 30 ms budget, but the server took 480 ms (the browser 120 ms a render), so the browser's workers keep it.",
        scale: 1,
      });
      expect(decide({ ...slow, clientMs: 120, serverMs: 120 }).backend).toBe('client-workers');
      // Back to the workers too once the slow op is switched off, whatever the server's time.
      expect(decide({ ...slow, params: { grayscale: {} }, clientMs: 120, serverMs: 60 }).rule).toBe('within-limits');
    });

    it('ignores a slow op that is switched off, and one within its budget', () => {
      expect(decide({ ...small, params: { grayscale: {} }, lastOpMs: { blur: 500 } }).backend).toBe('client-workers');
      expect(decide({ ...small, params: { blur: {} }, lastOpMs: { blur: OP_BUDGET_MS.blur } }).rule).toBe('within-limits');
    });

    it('counts background removal under its alias too', () => {
      expect(decide({ ...small, params: { rembg: true }, lastOpMs: { background_removal: 400 } }).rule).toBe('over-budget');
    });

    it('does not apply to a preview made smaller than the full result: the server\'s render is not the same work', () => {
      const slowProxy = { ...phone, params: { blur: {} }, lastOpMs: { blur: 450 }, clientMs: 500, serverMs: 100 };
      expect(decide(slowProxy)).toMatchObject({ backend: 'client-workers', rule: 'proxy' });
      expect(decide({ ...slow, params: { resize: { maxSide: 8192 }, blur: {} }, clientMs: 500, serverMs: 100 }).rule).toBe('proxy');
    });
  });

  it('scales a budget with the pixel count above the reference frame, never below it', () => {
    expect(opBudgetMs('blur', 100, 100)).toBe(OP_BUDGET_MS.blur);
    expect(opBudgetMs('blur', 4096, 1536)).toBe(2 * OP_BUDGET_MS.blur);
    expect(opBudgetMs('unknown', 100, 100)).toBeUndefined();
  });

  it('applies the rules in order: the switch, the hint, the device, the queue, the proxy or the timings', () => {
    const all: RoutingInput = {
      ...phone,
      params: { rembg: 'server', blur: {} },
      queueDepth: 9,
      lastOpMs: { blur: 1e4 },
      clientMs: 1e4,
      serverMs: 10,
      forceServer: true,
      device: { memoryGb: 0.5 },
    };
    expect(decide(all).rule).toBe('forced');
    expect(decide({ ...all, forceServer: false }).rule).toBe('hint');
    expect(decide({ ...all, forceServer: false, params: { rembg: true, blur: {} } }).rule).toBe('device');
    expect(decide({ ...all, forceServer: false, params: { blur: {} } }).rule).toBe('saturated');
    expect(decide({ ...all, forceServer: false, params: { blur: {} }, queueDepth: 0 }).rule).toBe('proxy');
    expect(decide({ ...all, forceServer: false, params: { blur: {} }, queueDepth: 0, factor: 1, width: 2000, height: 1500 }).rule).toBe('faster-on-server');
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
