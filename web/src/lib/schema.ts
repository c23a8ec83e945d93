import type { JsonSchema } from '../contract';

/**
 * What a control needs to know about one param, read from its JSON Schema: the one reading of a
 * schema into controls, for the Studio's ops and the Inference Studio's thresholds alike.
 */
export interface FieldSpec {
  name: string;
  kind: 'number' | 'integer' | 'enum' | 'boolean' | 'text';
  title: string;
  description?: string;
  default: unknown;
  min?: number;
  max?: number;
  step?: number;
  options?: string[];
}

export function fieldsOf(schema: JsonSchema): FieldSpec[] {
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => fieldOf(name, raw));
}

/** About a hundredth of the range, as a power of ten (0.01 for [0, 1], 0.1 for (0, 10]). */
function niceStep(range: number): number {
  return range > 0 ? 10 ** Math.floor(Math.log10(range / 100)) : 0.01;
}

/**
 * Sliders get a range a hand can use and no position the server refuses: the schema's limits,
 * but a bound far beyond the default (maxCandidates ≤ 100000) comes in to 10 × the default; an
 * exclusive bound is kept one step out of reach; an odd size (`{"not": {"multipleOf": 2}}`)
 * starts odd and steps by 2.
 */
function fieldOf(name: string, raw: JsonSchema): FieldSpec {
  // Optional fields come as anyOf [X, null]; controls are built from X.
  const s = raw.anyOf?.find((a) => a.type !== 'null') ?? raw;
  const base = { name, title: raw.title ?? name, description: raw.description, default: raw.default };
  if (s.enum) return { ...base, kind: 'enum', options: s.enum.map(String) };
  if (s.type === 'boolean') return { ...base, kind: 'boolean' };
  if (s.type !== 'integer' && s.type !== 'number') return { ...base, kind: 'text' };
  const integer = s.type === 'integer';
  const dflt = typeof raw.default === 'number' ? raw.default : 0;
  const lo = s.minimum ?? s.exclusiveMinimum ?? 0;
  let hi = s.maximum ?? s.exclusiveMaximum ?? Math.max(100, dflt * 10);
  if (dflt > 0 && hi > dflt * 20) hi = dflt * 10;
  const odd = s.not?.multipleOf === 2;
  const step = integer ? (odd ? 2 : 1) : niceStep(hi - lo);
  const min = s.minimum === undefined && s.exclusiveMinimum !== undefined ? lo + (integer ? 1 : step) : lo;
  const max = s.maximum === undefined && s.exclusiveMaximum !== undefined && hi === s.exclusiveMaximum ? hi - (integer ? 1 : step) : hi;
  return { ...base, kind: s.type, min: odd && min % 2 === 0 ? min + 1 : min, max, step };
}

export function defaultsOf(fields: FieldSpec[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, f.default ?? (f.kind === 'enum' ? f.options?.[0] : f.min ?? '')]));
}
