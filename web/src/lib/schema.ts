import type { JsonSchema } from '../api/client';

/** What a control needs to know about one param, read from the op's JSON Schema. */
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

function fieldOf(name: string, raw: JsonSchema): FieldSpec {
  // Optional fields come as anyOf [X, null]; controls are built from X.
  const s = raw.anyOf?.find((a) => a.type !== 'null') ?? raw;
  const base = { name, title: raw.title ?? name, description: raw.description, default: raw.default };
  if (s.enum) return { ...base, kind: 'enum', options: s.enum.map(String) };
  if (s.type === 'boolean') return { ...base, kind: 'boolean' };
  if (s.type === 'integer' || s.type === 'number') {
    const min = s.minimum ?? s.exclusiveMinimum ?? 0;
    let max = s.maximum ?? s.exclusiveMaximum ?? Math.max(100, Number(raw.default ?? 0) * 4);
    if (s.exclusiveMaximum !== undefined && s.maximum === undefined) max = s.type === 'integer' ? max - 1 : max - 10 ** Math.floor(Math.log10((max - min) / 100));
    // Sizes that must be odd say so in their description ("Odd kernel size ..."): step by 2.
    const odd = /\bodd\b/i.test(raw.description ?? '');
    const step = s.type === 'integer' ? (odd ? 2 : 1) : 10 ** Math.floor(Math.log10((max - min) / 100));
    const start = odd && min % 2 === 0 ? min + 1 : min;
    return { ...base, kind: s.type, min: start, max, step };
  }
  return { ...base, kind: 'text' };
}

export function defaultsOf(fields: FieldSpec[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, f.default ?? (f.kind === 'enum' ? f.options?.[0] : f.min ?? '')]));
}
