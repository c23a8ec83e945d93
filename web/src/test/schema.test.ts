import { describe, expect, it } from 'vitest';
import { CONTRACT } from '../contract';
import { defaultsOf, fieldsOf } from '../lib/schema';
import { paramsFor } from '../pages/Studio';

// The schemas GET /api/pipelines serves for these ops (pydantic, by alias).
const blur = {
  properties: {
    kernelSize: { default: 5, description: 'Odd kernel size in pixels (3–31).', maximum: 31, minimum: 3, not: { multipleOf: 2 }, type: 'integer' },
    sigma: { default: 0.0, description: 'Standard deviation.', maximum: 50, minimum: 0, type: 'number' },
  },
};
const autocontrast = { properties: { cutoff: { default: 0.0, exclusiveMaximum: 50, minimum: 0, type: 'number' } } };
const binarize = {
  properties: {
    method: { default: 'otsu', enum: ['otsu', 'adaptive'], type: 'string' },
    blockSize: { default: 31, description: 'Adaptive: odd neighbourhood size, px.', maximum: 255, minimum: 3, not: { multipleOf: 2 }, type: 'integer' },
  },
};

describe('controls from JSON Schema', () => {
  it('steps odd sizes by the schema keyword, not by the words of a description', () => {
    const [k] = fieldsOf({ properties: { kernelSize: { default: 5, minimum: 2, maximum: 31, not: { multipleOf: 2 }, type: 'integer' } } });
    expect(k).toMatchObject({ min: 3, step: 2 });
    const [n] = fieldsOf({ properties: { count: { default: 5, description: 'An odd number of things.', minimum: 1, maximum: 9, type: 'integer' } } });
    expect(n.step).toBe(1);
  });

  it('reads the real contract: the odd sizes of blur and binarize step by 2', () => {
    expect(fieldsOf(CONTRACT.ops.blur.params_schema)[0]).toMatchObject({ name: 'kernelSize', min: 3, step: 2 });
    expect(fieldsOf(CONTRACT.ops.binarize.params_schema).find((f) => f.name === 'blockSize')).toMatchObject({ step: 2 });
  });

  it('makes sliders with the schema bounds, odd sizes stepping by 2', () => {
    const [k, sigma] = fieldsOf(blur);
    expect(k).toMatchObject({ name: 'kernelSize', kind: 'integer', min: 3, max: 31, step: 2 });
    expect(sigma).toMatchObject({ name: 'sigma', kind: 'number', min: 0, max: 50, step: 0.1 });
  });

  it('keeps an exclusive maximum out of reach', () => {
    const [cutoff] = fieldsOf(autocontrast);
    expect(cutoff.max).toBeLessThan(50);
  });

  it('makes a select for an enum and starts every field at its default', () => {
    const fields = fieldsOf(binarize);
    expect(fields[0]).toMatchObject({ kind: 'enum', options: ['otsu', 'adaptive'] });
    expect(defaultsOf(fields)).toEqual({ method: 'otsu', blockSize: 31 });
  });

  it('sends only the ops that are on, each with its full values', () => {
    const state = {
      blur: { enabled: true, values: { kernelSize: 5, sigma: 0 } },
      grayscale: { enabled: false, values: {} },
      resize: { enabled: true, values: { maxSide: 1024 } },
    };
    expect(paramsFor(['resize', 'grayscale', 'blur'], state)).toEqual({ resize: { maxSide: 1024 }, blur: { kernelSize: 5, sigma: 0 } });
  });
});
