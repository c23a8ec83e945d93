import { describe, expect, it } from 'vitest';
import { opSetting, planSteps } from '../workers/pipeline';

describe('planSteps', () => {
  it('keeps the pipeline order, whatever the params order', () => {
    const steps = planSteps('preprocessing', { binarize: { method: 'otsu' }, grayscale: true, resize: { maxSide: 512 } });
    expect(steps).toEqual([
      { op: 'resize', params: { maxSide: 512 } },
      { op: 'grayscale', params: {} },
      { op: 'binarize', params: { method: 'otsu' } },
    ]);
  });

  it('treats false as off and routing hints / the rembg alias as on with defaults', () => {
    expect(planSteps('preprocessing', { blur: false, rembg: 'client' })).toEqual([{ op: 'background_removal', params: {} }]);
    expect(planSteps('preprocessing', { background_removal: 'server' })).toEqual([{ op: 'background_removal', params: {} }]);
    expect(planSteps('rembg', { strength: 0.5 })).toEqual([{ op: 'background_removal', params: { strength: 0.5 } }]);
  });

  it('reads background removal given under both names as the server does', () => {
    const steps = planSteps('preprocessing', { rembg: 'client', background_removal: 'server' });
    expect(steps).toEqual([{ op: 'background_removal', params: {} }]);
    expect(opSetting({ rembg: 'client', background_removal: 'server' }, 'background_removal')).toBe('server');
    expect(opSetting({ rembg: { strength: 0.5 }, background_removal: 'server' }, 'background_removal')).toEqual({ strength: 0.5 });
    expect(planSteps('preprocessing', { rembg: { strength: 0.5 }, background_removal: 'client' })).toEqual([
      { op: 'background_removal', params: { strength: 0.5 } },
    ]);
  });

  it('refuses a pipeline the workers cannot run', () => {
    expect(() => planSteps('inference', {})).toThrow(/inference/);
  });
});
