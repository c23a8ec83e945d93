import { describe, expect, it } from 'vitest';
import type { Detection } from '../api/inference';
import { allText, predictionsJson, textLines } from '../components/inference/logic';

const box = (x: number, y: number, text: string | null, w = 80, h = 20): Detection => ({
  points: [
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h],
  ],
  score: 0.9,
  text,
  textScore: 0.8,
});

describe('text in reading order', () => {
  // Found bottom-up and right-to-left, as DB post-processing returns them.
  const found = [box(300, 104, '12.50'), box(10, 100, 'TOTAL'), box(10, 40, 'SHOP'), box(10, 70, ''), box(10, 160, null)];

  it('groups boxes into printed lines, top to bottom, left to right', () => {
    expect(textLines(found)).toEqual([[2], [1, 0]]); // the unread ('' and null) take no part
  });

  it('joins a line with spaces and lines with newlines', () => {
    expect(allText(found)).toBe('SHOP\nTOTAL 12.50');
    expect(allText([])).toBe('');
  });

  it('writes the text into the predictions JSON when there is some', () => {
    const words = predictionsJson('r.jpg', [found[1], box(0, 0, null)]).images['r.jpg'].words;
    expect(words['0']).toMatchObject({ text: 'TOTAL', textScore: 0.8 });
    expect(words['1']).not.toHaveProperty('text');
  });
});

describe('text of a page photographed at an angle', () => {
  // The same two lines turned by 8°: the price sits lower than its item on screen.
  const turn = (d: Detection): Detection => {
    const a = (8 * Math.PI) / 180;
    return { ...d, points: d.points.map(([x, y]) => [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)]) };
  };
  const found = [box(10, 100, 'TOTAL'), box(300, 100, '12.50'), box(10, 130, 'CASH'), box(300, 130, '20.00')].map(turn);

  it('still groups each item with its price', () => {
    expect(allText(found)).toBe('TOTAL 12.50\nCASH 20.00');
  });
});
