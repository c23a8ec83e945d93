/** How many results the Studio has painted: bench/web.py reads it (window.__ocrp.paints) to count
 *  repaints per second during a scripted slider drag. */
let paints = 0;

export function countPaint(): void {
  paints += 1;
}

export function paintCount(): number {
  return paints;
}
