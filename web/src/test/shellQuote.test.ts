import { describe, expect, it } from 'vitest';
import { posixJoin, posixQuote, powershellJoin, powershellQuote } from '../lib/shellQuote';
import golden from '../../../tests/data/quoting-vectors.json';

describe('shell quoting, as the server quotes', () => {
  it.each(golden.vectors)('quotes %j', ({ arg, posix, powershell }) => {
    expect(posixQuote(arg)).toBe(posix);
    expect(powershellQuote(arg)).toBe(powershell);
  });

  it('joins argv, with the call operator when the program needs quotes in PowerShell', () => {
    expect(posixJoin(['ocr-playground', 'run', 'a b.jpg'])).toBe("ocr-playground run 'a b.jpg'");
    expect(powershellJoin(['my tool', 'x'])).toBe("& 'my tool' x");
    expect(powershellJoin(['ocr-playground', 'run'])).toBe('ocr-playground run');
  });
});
