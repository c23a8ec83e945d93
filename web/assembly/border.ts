/** OpenCV's BORDER_REFLECT_101 index (…2 1 | 0 1 2 … n-2 n-1 | n-2 …), for any overshoot. */
export function reflect101(i: i32, n: i32): i32 {
  if (n == 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** OpenCV's BORDER_REPLICATE index (aaa | a b c | ccc). */
export function replicate(i: i32, n: i32): i32 {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}
