import { describe, expect, it } from 'vitest';
import { paramsSummary, startedText } from '../components/jobs/summary';

describe('paramsSummary', () => {
  it('lists the ops that are on with their values, in order', () => {
    expect(paramsSummary({ resize: { maxSide: 1024 }, grayscale: true, blur: { kernelSize: 5, sigma: 0 }, binarize: false })).toBe(
      'resize maxSide=1024 · grayscale · blur kernelSize=5 sigma=0',
    );
    expect(paramsSummary({ rembg: 'server' })).toBe('rembg server');
    expect(paramsSummary({ strength: 0.85 })).toBe('strength 0.85'); // the rembg pipeline's flat params
    expect(paramsSummary({ grayscale: {}, detection: { boxThresh: 0.5 } })).toBe('grayscale · detection boxThresh=0.5');
  });

  it('says when nothing is on, and cuts a long line', () => {
    expect(paramsSummary({})).toBe('no ops');
    expect(paramsSummary(null)).toBe('—');
    const long = paramsSummary({ a: { x: 'y'.repeat(200) } }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('startedText', () => {
  it('is the time of day today, with the date otherwise', () => {
    const now = new Date(2026, 0, 10, 12, 0, 0);
    expect(startedText(null, now)).toBe('not started');
    expect(startedText(new Date(2026, 0, 10, 9, 5, 7).getTime() / 1000, now)).toMatch(/09.05.07/);
    expect(startedText(new Date(2026, 0, 9, 9, 5, 7).getTime() / 1000, now)).toContain(new Date(2026, 0, 9).toLocaleDateString());
  });
});
