/** The R, G and B histograms of `pixels` RGBA pixels, into three runs of 256 u32 at `hist`
 *  (zeroed by the caller). Twice unrolled into two sets of counters, so that neighbouring pixels
 *  of the same colour (most of a receipt) do not wait on each other's increment. */
export function histograms(src: usize, pixels: i32, hist: usize): void {
  const second = hist + 3 * 1024;
  const end = src + (<usize>(pixels & ~1) << 2);
  for (let s = src; s < end; s += 8) {
    const a = load<u32>(s);
    const b = load<u32>(s, 4);
    count(hist, a);
    count(second, b);
  }
  if (pixels & 1) count(hist, load<u32>(end));
  for (let i: usize = 0; i < 3 * 256; i++) {
    store<u32>(hist + (i << 2), load<u32>(hist + (i << 2)) + load<u32>(second + (i << 2)));
  }
}

// @ts-ignore: decorator
@inline
function count(hist: usize, v: u32): void {
  const r = hist + ((v & 0xff) << 2);
  const g = hist + 1024 + (((v >> 8) & 0xff) << 2);
  const b = hist + 2048 + (((v >> 16) & 0xff) << 2);
  store<u32>(r, load<u32>(r) + 1);
  store<u32>(g, load<u32>(g) + 1);
  store<u32>(b, load<u32>(b) + 1);
}

/** Twin of kernels/autocontrast.ts's second pass: each channel through its table. `luts` holds
 *  three runs of 256 u32, already shifted into their byte of the output word; alpha kept. */
export function applyLuts(src: usize, dst: usize, pixels: i32, luts: usize): void {
  const end = src + (<usize>pixels << 2);
  for (let s = src, d = dst; s < end; s += 4, d += 4) {
    const v = load<u32>(s);
    store<u32>(
      d,
      (v & 0xff000000) |
        load<u32>(luts + ((v & 0xff) << 2)) |
        load<u32>(luts + 1024 + (((v >> 8) & 0xff) << 2)) |
        load<u32>(luts + 2048 + (((v >> 16) & 0xff) << 2)),
    );
  }
}
