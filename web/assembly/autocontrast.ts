/** The R, G and B histograms of `pixels` RGBA pixels, into three runs of 256 u32 at `hist`
 *  (zeroed by the caller, 12 KB). Four sets of counters, one per pixel of every four, summed at
 *  the end: on a receipt most neighbours share a colour, and one set would make each increment
 *  wait for the one before it. */
export function histograms(src: usize, pixels: i32, hist: usize): void {
  const end = src + (<usize>(pixels & ~3) << 2);
  for (let s = src; s < end; s += 16) {
    count(hist, load<u32>(s));
    count(hist + 3 * 1024, load<u32>(s, 4));
    count(hist + 6 * 1024, load<u32>(s, 8));
    count(hist + 9 * 1024, load<u32>(s, 12));
  }
  for (let s = end; s < src + (<usize>pixels << 2); s += 4) count(hist, load<u32>(s));
  for (let i: usize = 0; i < 3 * 1024; i += 4) {
    const total = load<u32>(hist + i) + load<u32>(hist + i, 3 * 1024) + load<u32>(hist + i, 6 * 1024) + load<u32>(hist + i, 9 * 1024);
    store<u32>(hist + i, total);
  }
}

/** The lowest and highest R, G and B of `pixels` RGBA pixels, as six u32 at `out`: lows, then
 *  highs (`out` needs 64 bytes). Sixteen channel bytes per step; lane i holds channel i % 4. */
export function channelRanges(src: usize, pixels: i32, out: usize): void {
  let low = i8x16.splat(-1);
  let high = i8x16.splat(0);
  const whole = src + (<usize>(pixels & ~3) << 2);
  for (let s = src; s < whole; s += 16) {
    const v = v128.load(s);
    low = i8x16.min_u(low, v);
    high = i8x16.max_u(high, v);
  }
  // Fold the four pixels of each vector into one, then finish the last pixels one by one.
  low = i8x16.min_u(low, i8x16.shuffle(low, low, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  low = i8x16.min_u(low, i8x16.shuffle(low, low, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
  high = i8x16.max_u(high, i8x16.shuffle(high, high, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  high = i8x16.max_u(high, i8x16.shuffle(high, high, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
  v128.store(out, low, 32); // lanes 0..2 now hold R, G and B: read them back as bytes
  v128.store(out, high, 48);
  for (let c: usize = 0; c < 3; c++) {
    let lo = <u32>load<u8>(out + c, 32);
    let hi = <u32>load<u8>(out + c, 48);
    for (let s = whole; s < src + (<usize>pixels << 2); s += 4) {
      const v = <u32>load<u8>(s + c);
      lo = min(lo, v);
      hi = max(hi, v);
    }
    store<u32>(out + (c << 2), lo);
    store<u32>(out + ((c + 3) << 2), hi);
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

/**
 * The R, G and B histograms (three runs of 256 u32 at `hist`, zeroed by the caller) of only the
 * values at either end: ≤ the channel's low bound or ≥ its high bound. `bounds` holds six bytes:
 * the R, G, B lows, then the highs. A SIMD test passes over the four pixels of a vector when none of
 * their channel values is at an end, which for a cutoff of a few percent is most of them.
 */
export function tailHistograms(src: usize, pixels: i32, bounds: usize, hist: usize): void {
  const lows = i32x4.splat(<i32>(load<u32>(bounds) & 0x00ffffff));
  const highs = i32x4.splat(<i32>((load<u32>(bounds, 3) & 0x00ffffff) | 0xff000000));
  const colour = i32x4.splat(0x00ffffff);
  const whole = src + (<usize>(pixels & ~3) << 2);
  for (let s = src; s < whole; s += 16) {
    const v = v128.load(s);
    const ends = v128.and(v128.or(i8x16.le_u(v, lows), i8x16.ge_u(v, highs)), colour);
    if (v128.any_true(ends)) {
      for (let p: usize = 0; p < 16; p += 4) countEnds(load<u32>(s + p), bounds, hist);
    }
  }
  for (let s = whole; s < src + (<usize>pixels << 2); s += 4) countEnds(load<u32>(s), bounds, hist);
}

// @ts-ignore: decorator
@inline
function countEnds(v: u32, bounds: usize, hist: usize): void {
  for (let c: usize = 0; c < 3; c++) {
    const value = (v >> (<u32>c << 3)) & 0xff;
    if (value <= <u32>load<u8>(bounds + c) || value >= <u32>load<u8>(bounds + c, 3)) {
      const at = hist + (c << 10) + (<usize>value << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
  }
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
