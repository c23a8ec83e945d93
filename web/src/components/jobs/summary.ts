/** One line for a job's params on the Jobs page: the ops that are on, in order, with their values
 *  (`resize maxSide=1024 · grayscale · blur kernelSize=5 sigma=0`). Pure, so Vitest covers it. */
export function paramsSummary(params: unknown, maxLength = 90): string {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return '—';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === false || value === null || value === undefined) continue;
    parts.push(key + settingText(value));
  }
  const text = parts.length ? parts.join(' · ') : 'no ops';
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function settingText(value: unknown): string {
  if (value === true) return '';
  if (typeof value !== 'object' || value === null) return ` ${String(value)}`;
  const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
    typeof v === 'object' && v !== null ? `${k}(${paramsSummary(v, 40)})` : `${k}=${String(v)}`,
  );
  return inner.length ? ` ${inner.join(' ')}` : '';
}

/** A start time as the Jobs page shows it: the time of day, with the date when it is not today. */
export function startedText(seconds: number | null, now: Date = new Date()): string {
  if (seconds === null) return 'not started';
  const d = new Date(seconds * 1000);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return d.toDateString() === now.toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}
