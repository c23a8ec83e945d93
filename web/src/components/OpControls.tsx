import { memo } from 'react';
import type { JsonSchema, OpInfo } from '../api/client';
import { fieldsOf, type FieldSpec } from '../lib/schema';
import { Slider } from './Slider';

export interface OpState {
  enabled: boolean;
  values: Record<string, unknown>;
}

interface Props {
  ops: string[];
  info: Record<string, OpInfo>;
  state: Record<string, OpState>;
  onChange: (op: string, next: OpState) => void;
}

// The catalogue's schemas never change after loading: read each once, not on every slider move.
const parsed = new WeakMap<JsonSchema, FieldSpec[]>();
function fieldsFor(schema: JsonSchema): FieldSpec[] {
  let fields = parsed.get(schema);
  if (!fields) parsed.set(schema, (fields = fieldsOf(schema)));
  return fields;
}

/** One fieldset per op of the pipeline, generated from the op's JSON Schema. Every control is
 *  labelled "<op> <field>" so screen readers and tests find it by name. */
export function OpControls({ ops, info, state, onChange }: Props) {
  return (
    <div className="op-controls">
      {ops.map((op) => (state[op] && info[op] ? <OpFieldset key={op} op={op} info={info[op]} state={state[op]} onChange={onChange} /> : null))}
    </div>
  );
}

// Memoised: a slider step changes one op's state, and only that op's fieldset renders again (the
// page passes a stable onChange).
const OpFieldset = memo(function OpFieldset({ op, info, state: s, onChange }: { op: string; info: OpInfo; state: OpState; onChange: Props['onChange'] }) {
  const fields = fieldsFor(info.params_schema);
  return (
    <fieldset className={s.enabled ? 'op on' : 'op'}>
      <legend>
        <label>
          <input type="checkbox" checked={s.enabled} aria-label={`${op} enabled`} onChange={(e) => onChange(op, { ...s, enabled: e.target.checked })} /> {op}
        </label>
      </legend>
      <p className="summary">{info.summary}</p>
      {fields.map((f) => (
        <FieldControl
          key={f.name}
          op={op}
          field={f}
          value={s.values[f.name]}
          disabled={!s.enabled}
          onChange={(v) => onChange(op, { ...s, values: { ...s.values, [f.name]: v } })}
        />
      ))}
    </fieldset>
  );
});

function FieldControl({ op, field, value, disabled, onChange }: {
  op: string;
  field: FieldSpec;
  value: unknown;
  disabled: boolean;
  onChange: (value: unknown) => void;
}) {
  const id = `ctl-${op}-${field.name}`;
  const label = `${op} ${field.name}`;
  let control;
  if (field.kind === 'enum') {
    control = (
      <select id={id} aria-label={label} value={String(value)} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {field.options?.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  } else if (field.kind === 'boolean') {
    control = <input id={id} type="checkbox" aria-label={label} checked={Boolean(value)} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />;
  } else if (field.kind === 'number' || field.kind === 'integer') {
    control = (
      <Slider id={id} label={label} min={field.min} max={field.max} step={field.step} value={Number(value)} disabled={disabled} onChange={onChange} format={formatNumber} />
    );
  } else {
    control = <input id={id} aria-label={label} value={String(value ?? '')} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="field" title={field.description}>
      <label htmlFor={id}>{field.name}</label>
      {control}
    </div>
  );
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0+$/, '');
}
