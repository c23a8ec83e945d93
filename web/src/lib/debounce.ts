import { useEffect, useRef, useState } from 'react';

/**
 * The value, settled: it follows `value` once it has not changed for `delayMs`, and, during a
 * long drag, at least every `maxWaitMs` so the picture keeps up with the slider.
 */
export function useDebounced<T>(value: T, delayMs: number, maxWaitMs = Infinity): T {
  const [settled, setSettled] = useState(value);
  const firstPending = useRef<number | null>(null);
  useEffect(() => {
    const now = performance.now();
    firstPending.current ??= now;
    const wait = Math.max(0, Math.min(delayMs, firstPending.current + maxWaitMs - now));
    const timer = setTimeout(() => {
      firstPending.current = null;
      setSettled(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, delayMs, maxWaitMs]);
  return settled;
}
