/**
 * The contract between the two engines, read from the Python registry's own export
 * (`pipelines.json` beside this file, written by `make contract` from `ocr-playground pipelines`):
 * the pipelines and their op order, each op's aliases and routing hints, each op's params as JSON
 * Schema (names, types, defaults, ranges, odd sizes), and the client limits. Nothing here restates
 * it; tests/test_contract.py fails when the file is stale.
 *
 * `validatePipeline` is the twin of `imaging/pipeline.py`'s `validate`: the same params are
 * accepted or refused by both engines, and a refusal names the same op and field
 * (tests/test_contract_validation.py drives both with random params).
 */
import canonicalize from 'canonicalize';
import contractJson from './pipelines.json';

export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  /** `{"not": {"multipleOf": 2}}`: an odd size (a kernel or block needs a centre pixel). */
  not?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  anyOf?: JsonSchema[];
  const?: unknown;
}

export interface PipelineInfo {
  id: string;
  description: string;
  ops: string[];
  params_style: 'by_op' | 'flat';
}

export interface OpInfo {
  summary: string;
  aliases: string[];
  routing_hints: string[];
  params_schema: JsonSchema;
}

export interface Contract {
  pipelines: PipelineInfo[];
  ops: Record<string, OpInfo>;
  /** Over these, the server's own routing sends a preview to the server; the Studio previews on a
   *  proxy instead (workers/proxy.ts). */
  client_limits: { max_bytes: number; max_side: number };
}

export const CONTRACT = contractJson as Contract;
export const CLIENT_MAX_BYTES = CONTRACT.client_limits.max_bytes;
export const CLIENT_MAX_SIDE = CONTRACT.client_limits.max_side;

/** A refusal of params, naming the op and the field at fault (null where the whole is wrong). */
export class InvalidParams extends Error {
  constructor(
    message: string,
    readonly op: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'InvalidParams';
  }
}

export function pipelineInfo(pipelineId: string): PipelineInfo {
  const found = CONTRACT.pipelines.find((p) => p.id === pipelineId);
  if (!found) throw new InvalidParams(`Unknown pipeline '${pipelineId}'; known pipelines: ${CONTRACT.pipelines.map((p) => p.id).join(', ')}.`);
  return found;
}

/** The op's own name for `name` (itself or an alias), or null when no op answers to it. */
export function canonicalName(name: string): string | null {
  if (Object.hasOwn(CONTRACT.ops, name)) return name;
  return Object.entries(CONTRACT.ops).find(([, op]) => op.aliases.includes(name))?.[0] ?? null;
}

/** Every name an op answers to: its own and its aliases. */
export function namesOf(op: string): string[] {
  return [op, ...(CONTRACT.ops[op]?.aliases ?? [])];
}

export function opSchema(op: string): JsonSchema {
  const info = CONTRACT.ops[op];
  if (!info) throw new InvalidParams(`The contract has no op '${op}'.`, op);
  return info.params_schema;
}

/** An op's params with every default filled in, from its schema. */
export function opDefaults(op: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(opSchema(op).properties ?? {}).map(([name, s]) => [name, s.default]));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** A number schema's range as a sentence: "an integer in [3, 31]", "a number in [0, 50)". */
function range(schema: JsonSchema): string {
  const kind = schema.type === 'integer' ? 'an integer' : 'a number';
  const lo = schema.minimum ?? schema.exclusiveMinimum;
  const hi = schema.maximum ?? schema.exclusiveMaximum;
  if (lo === undefined && hi === undefined) return kind;
  const open = schema.minimum !== undefined ? '[' : '(';
  const close = schema.maximum !== undefined ? ']' : ')';
  return `${kind} in ${open}${lo ?? '-∞'}, ${hi ?? '∞'}${close}`;
}

/** Why `value` breaks `schema` (one property's), or null. The checks run in pydantic's order:
 *  the type, then the range, then the odd rule. */
function problem(schema: JsonSchema, value: unknown): string | null {
  if (schema.enum) return schema.enum.includes(value) ? null : `must be one of ${schema.enum.map(shown).join(', ')}`;
  if (schema.type === 'string') return typeof value === 'string' ? null : 'must be text';
  if (schema.type === 'boolean') return typeof value === 'boolean' ? null : 'must be true or false';
  if (schema.type !== 'integer' && schema.type !== 'number') return null;
  const whole = schema.type === 'integer';
  if (typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value))) return `must be ${range(schema)}`;
  const low = schema.minimum !== undefined ? value < schema.minimum : schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum;
  const high = schema.maximum !== undefined ? value > schema.maximum : schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum;
  if (low || high) return `must be ${range(schema)}`;
  const step = schema.not?.multipleOf;
  if (step !== undefined && value % step === 0) return step === 2 ? 'must be odd' : `must not be a multiple of ${step}`;
  return null;
}

/** One op's params (an object) checked against its schema: declared fields first, in the schema's
 *  order, then unknown ones; the first problem is refused. Returns the params with defaults. Every
 *  kernel starts with it, so a kernel called alone refuses what the pipeline would. */
export function validateOpParams<T = Record<string, unknown>>(op: string, value: object): T {
  if (!isObject(value)) throw new InvalidParams(`${op} takes an object of params, got ${shown(value)}.`, op);
  const schema = opSchema(op);
  const properties = schema.properties ?? {};
  for (const [name, field] of Object.entries(properties)) {
    if (!Object.hasOwn(value, name)) continue;
    const why = problem(field, value[name]);
    if (why) throw new InvalidParams(`${op} ${name} ${why}, got ${shown(value[name])}.`, op, name);
  }
  const unknown = Object.keys(value).find((name) => !Object.hasOwn(properties, name));
  if (unknown !== undefined) {
    throw new InvalidParams(`${op} has no param '${unknown}'; its params are: ${Object.keys(properties).join(', ') || 'none'}.`, op, unknown);
  }
  return { ...opDefaults(op), ...value } as T;
}

export interface ValidStep {
  op: string;
  /** The params as given (the kernels fill in the defaults). */
  params: Record<string, unknown>;
}

const isHint = (op: string, v: unknown): boolean => typeof v === 'string' && (CONTRACT.ops[op]?.routing_hints ?? []).includes(v);

/** One op given under its name and under an alias: a routing hint joins any setting that switches
 *  the op on ("server" winning as the hint); two settings that are not hints must agree. */
function combine(op: string, first: unknown, second: unknown): unknown {
  if (isHint(op, first) && isHint(op, second)) return first === 'server' || second === 'server' ? 'server' : 'client';
  if (isHint(op, first) || isHint(op, second)) {
    const setting = isHint(op, first) ? second : first;
    if (setting === null || setting === false) throw new InvalidParams(`Op '${op}' is switched off under one name and on under its alias; give it once.`, op);
    return setting;
  }
  if (canonicalize(first) !== canonicalize(second)) {
    throw new InvalidParams(`Op '${op}' is given twice with different settings (once under an alias); give it once.`, op);
  }
  return first;
}

/** An op's setting in a pipeline's `params`, read through its aliases (undefined: absent). */
export function settingOf(params: Record<string, unknown>, op: string): unknown {
  let found: unknown = undefined;
  for (const name of namesOf(op)) {
    if (!Object.hasOwn(params, name)) continue;
    found = found === undefined ? params[name] : combine(op, found, params[name]);
  }
  return found;
}

/** The steps that will run, in the pipeline's order, each with its validated params; throws
 *  InvalidParams before any work when anything is off. */
export function validatePipeline(pipelineId: string, params: unknown): ValidStep[] {
  const pipeline = pipelineInfo(pipelineId);
  if (params === null || params === undefined) params = {};
  if (!isObject(params)) throw new InvalidParams(`Params for pipeline '${pipelineId}' must be a JSON object, got ${shown(params)}.`);
  let values: Record<string, unknown>;
  if (pipeline.params_style === 'flat') {
    values = { [pipeline.ops[0]]: params };
  } else {
    values = {};
    for (const [key, value] of Object.entries(params)) {
      const name = canonicalName(key);
      if (name === null || !pipeline.ops.includes(name)) {
        throw new InvalidParams(`Unknown op '${key}' for pipeline '${pipelineId}'; its ops are: ${pipeline.ops.join(', ')}.`, key);
      }
      values[name] = Object.hasOwn(values, name) ? combine(name, values[name], value) : value;
    }
  }
  const steps: ValidStep[] = [];
  for (const op of pipeline.ops) {
    let value = values[op];
    if (value === undefined || value === null || value === false) continue;
    if (value === true || isHint(op, value)) value = {};
    if (!isObject(value)) {
      const hint = CONTRACT.ops[op].routing_hints.length ? `, ${CONTRACT.ops[op].routing_hints.map(shown).join(' or ')}` : '';
      throw new InvalidParams(`Op '${op}' takes true, false${hint} or an object of params, got ${shown(value)}.`, op);
    }
    validateOpParams(op, value);
    steps.push({ op, params: value });
  }
  return steps;
}
