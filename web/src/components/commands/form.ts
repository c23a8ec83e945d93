/** The pure logic of the command form: defaults, visibility, the diff, script files. */
import type { CommandSchema, FieldValue, FormValues } from '../../api/commands';
import { posixQuote, powershellQuote } from '../../lib/shellQuote';

/** Every field at its schema default (info notes hold no value). */
export function defaultsOf(schema: CommandSchema): FormValues {
  const values: FormValues = {};
  for (const e of schema.ui_elements) if (e.type !== 'info') values[e.key] = e.default ?? null;
  return values;
}

/** The defaults overlaid with a preset's (or a parsed command's) values, for keys the form has. */
export function fillFrom(schema: CommandSchema, partial: FormValues): FormValues {
  const values = defaultsOf(schema);
  for (const [k, v] of Object.entries(partial)) if (k in values) values[k] = v;
  return values;
}

function holds(cond: Record<string, unknown> | null, values: FormValues): boolean {
  if (!cond) return true;
  return Object.entries(cond).every(([k, want]) =>
    Array.isArray(want) ? want.some((w) => sameValue(w, values[k])) : sameValue(want, values[k]),
  );
}

/**
 * The keys shown for these values, by the server's rule (build.visible_keys): a field shows when
 * its `visible_if` holds and the fields it looks at show themselves. The server stays the
 * authority on what is emitted; this only decides what the page displays.
 */
export function visibleKeys(schema: CommandSchema, values: FormValues): Set<string> {
  const shown = new Set(schema.ui_elements.map((e) => e.key));
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of schema.ui_elements) {
      const ok = holds(e.visible_if, values) && Object.keys(e.visible_if ?? {}).every((k) => shown.has(k));
      if (shown.has(e.key) && !ok) {
        shown.delete(e.key);
        changed = true;
      }
    }
  }
  return shown;
}

/** Equality as the server sees JSON values (Python ==, so 1 == 1.0, and lists element-wise). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  return (a ?? null) === (b ?? null);
}

export interface DiffEntry {
  key: string;
  label: string;
  from: FieldValue;
  to: FieldValue;
}

/**
 * The shown fields whose value differs from the schema default, in form order, plus the
 * "append model suffix" switch when it is on. Hidden fields are left out: they never reach the
 * command, so listing them would misstate what runs.
 */
export function diffAgainstDefaults(schema: CommandSchema, values: FormValues, appendSuffix = false): DiffEntry[] {
  const shown = visibleKeys(schema, values);
  const diff: DiffEntry[] = [];
  for (const e of schema.ui_elements) {
    if (e.type === 'info' || !shown.has(e.key)) continue;
    const to = values[e.key] ?? null;
    if (!sameValue(e.default, to)) diff.push({ key: e.key, label: e.label, from: e.default ?? null, to });
  }
  if (appendSuffix && schema.model_suffix) {
    diff.push({ key: 'append_model_suffix', label: 'Append model suffix', from: false, to: true });
  }
  return diff;
}

/** A value as the diff and the option lists show it. */
export function formatValue(v: FieldValue): string {
  if (v === null || v === '') return '(empty)';
  if (Array.isArray(v)) return v.length ? v.map(String).join(', ') : '(none)';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

export type Shell = 'posix' | 'powershell';

export interface ScriptFile {
  name: string;
  content: string;
  type: string;
}

/** Keeps a file name portable: letters, digits, `.`, `_`, `-`; the rest becomes `_`. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, 80);
}

/**
 * The downloadable script: `<schema>[-<experiment>].sh` with a shebang line, or `.ps1`. The name
 * carries the value of the schema's model-suffix target (the experiment name) when it has one,
 * so several downloaded runs do not overwrite each other. With `folder` (the Hydra project), the
 * script first changes into it: the command's script and configs are found from there.
 */
export function scriptFile(shell: Shell, command: string, schema: CommandSchema, values: FormValues, folder: string | null = null): ScriptFile {
  const target = schema.model_suffix?.target;
  const run = target ? values[target] : null;
  const base = [slug(schema.id) || 'command', typeof run === 'string' ? slug(run) : ''].filter(Boolean).join('-');
  if (shell === 'posix') {
    const cd = folder ? `cd ${posixQuote(folder)} || exit 1\n` : '';
    return { name: `${base}.sh`, content: `#!/usr/bin/env sh\n${cd}${command}\n`, type: 'text/x-sh' };
  }
  const cd = folder ? `Set-Location -LiteralPath ${powershellQuote(folder)}\n` : '';
  return { name: `${base}.ps1`, content: `${cd}${command}\n`, type: 'text/plain' };
}

/** A number field's text as a form value: empty is "no value" (null), text that is not a number
 *  ("abc", a half-typed "1e") is undefined, and the field then sends the text itself for the
 *  server to refuse by name. A fraction in an int field is kept: the server names the field,
 *  which says more than a silently rounded number. */
export function parseNumber(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The field a server refusal names. A 422 (a value of the wrong type, an option that does not
 * exist) carries only its sentence, which quotes the key as `Field 'key' (Label) ...`; the first
 * quoted key of this form is the one to mark.
 */
export function fieldNamedIn(detail: string, schema: CommandSchema): string | null {
  for (const m of detail.matchAll(/'([A-Za-z_][A-Za-z0-9_]*)'/g)) {
    if (schema.ui_elements.some((e) => e.key === m[1])) return m[1];
  }
  return null;
}

/**
 * What "append model suffix" makes of the target field (`exp` → `exp-dbnet-resnet18`), by the
 * server's rule (build.apply_model_suffix): nothing for an empty target, never appended twice.
 * Only a preview for the checkbox's help; the command itself comes from the server.
 */
export function suffixed(schema: CommandSchema, values: FormValues): string | null {
  const spec = schema.model_suffix;
  const base = spec ? values[spec.target] : null;
  if (!spec || typeof base !== 'string' || base === '') return null;
  const suffix = spec.parts
    .map((p) => values[p])
    .filter((v) => v !== null && v !== undefined)
    .map((v) => spec.separator + String(v))
    .join('');
  return suffix && !base.endsWith(suffix) ? base + suffix : base;
}
