import { describe, expect, it } from 'vitest';
import { planSteps } from '../workers/pipeline';

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

  it('refuses a pipeline the workers cannot run', () => {
    expect(() => planSteps('inference', {})).toThrow(/inference/);
  });
});
