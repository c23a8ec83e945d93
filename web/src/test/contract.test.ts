import { describe, expect, it } from 'vitest';
import { CLIENT_MAX_BYTES, CLIENT_MAX_SIDE, CONTRACT, InvalidParams, opDefaults, validatePipeline } from '../contract';
import { hasServerHint, OP_BUDGET_MS } from '../routing/decide';
import { KERNELS, planSteps, PREPROCESSING_ORDER } from '../workers/pipeline';

const refusal = (fn: () => unknown): InvalidParams => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidParams) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('the contract', () => {
  it('has a kernel in the browser for every op, and no kernel outside it', () => {
    expect(Object.keys(KERNELS).sort()).toEqual(Object.keys(CONTRACT.ops).sort());
    expect([...PREPROCESSING_ORDER]).toEqual(CONTRACT.pipelines.find((p) => p.id === 'preprocessing')!.ops);
  });

  it('has a routing budget for every op (the over-budget rule would never see one without it)', () => {
    expect(Object.keys(CONTRACT.ops).filter((op) => OP_BUDGET_MS[op] === undefined)).toEqual([]);
  });

  it('gives the defaults and the client limits the server uses', () => {
    expect(opDefaults('blur')).toEqual({ kernelSize: 5, sigma: 0 });
    expect(opDefaults('binarize')).toEqual({ method: 'otsu', blockSize: 31, C: 10 });
    expect([CLIENT_MAX_BYTES, CLIENT_MAX_SIDE]).toEqual([2 * 1024 * 1024, 2048]);
  });

  // These ran in the browser (its kernels take them) while Python refused them.
  it.each([
    [{ blur: { kernelSize: 1 } }, 'blur', 'kernelSize'],
    [{ resize: { maxSide: 1 } }, 'resize', 'maxSide'],
    [{ binarize: { method: 'otsu', blockSize: 4 } }, 'binarize', 'blockSize'],
    [{ blur: { kernelSize: 5, radius: 2 } }, 'blur', 'radius'],
    [{ blur: { kernelSize: '5' } }, 'blur', 'kernelSize'],
    [{ resize: { maxSide: true } }, 'resize', 'maxSide'],
  ])('refuses %j as the server does, naming the op and field', (params, op, field) => {
    const e = refusal(() => planSteps('preprocessing', params));
    expect([e.op, e.field]).toEqual([op, field]);
  });

  it('refuses an op it does not know instead of skipping it', () => {
    expect(refusal(() => planSteps('preprocessing', { sharpen: true, grayscale: true })).op).toBe('sharpen');
    expect(refusal(() => planSteps('preprocessing', { grayscale: 'yes' })).op).toBe('grayscale');
  });

  it('fails loudly on an op of the contract that has no kernel here', () => {
    const kernels = KERNELS as Record<string, unknown>;
    const saved = kernels.grayscale;
    delete kernels.grayscale;
    try {
      expect(() => planSteps('preprocessing', { grayscale: true })).toThrow(/no kernel for op 'grayscale'/);
    } finally {
      kernels.grayscale = saved;
    }
  });

  it('reads aliases and routing hints from the contract', () => {
    expect(validatePipeline('preprocessing', { rembg: 'client' })).toEqual([{ op: 'background_removal', params: {} }]);
    expect(refusal(() => validatePipeline('preprocessing', { rembg: true, background_removal: 1 })).op).toBe('background_removal');
    expect(hasServerHint({ rembg: 'server' })).toBe(true);
    expect(hasServerHint({ background_removal: { strength: 1 }, rembg: 'server' })).toBe(true);
    expect(hasServerHint({ grayscale: 'server' })).toBe(false);
  });
});
