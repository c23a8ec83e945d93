import { useId, useState } from 'react';
import type { CommandSchema, FieldValue, FormValues, Scalar, UIElement } from '../../api/commands';
import { Slider } from '../Slider';
import { formatValue, parseNumber, sameValue } from './form';

interface Props {
  schema: CommandSchema;
  values: FormValues;
  shown: Set<string>;
  onChange: (key: string, value: FieldValue) => void;
  /** The server's verdict on the shown values: the field it names gets the message inline. */
  invalidField: string | null;
  validationError: string | null;
}

/** The form generated from a schema's `ui_elements`. Every control is labelled by the element's
 *  `label` and described by its help text (and its error, when the server names it). */
export function SchemaForm({ schema, values, shown, onChange, invalidField, validationError }: Props) {
  return (
    <div className="cmd-form">
      {schema.ui_elements
        .filter((e) => shown.has(e.key))
        .map((e) =>
          e.type === 'info' ? (
            <p key={e.key} className="cmd-info">
              <strong>{e.label}</strong> {e.help}
            </p>
          ) : (
            <Field
              key={e.key}
              element={e}
              value={values[e.key] ?? null}
              onChange={(v) => onChange(e.key, v)}
              error={invalidField === e.key ? validationError : null}
            />
          ),
        )}
    </div>
  );
}

interface FieldProps {
  element: UIElement;
  value: FieldValue;
  onChange: (value: FieldValue) => void;
  error: string | null;
}

function Field({ element: e, value, onChange, error }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [e.help ? helpId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const required = e.validation.required;
  const a11y = {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
    'aria-required': required ? true : undefined,
  } as const;

  let control;
  switch (e.type) {
    case 'checkbox':
      control = <input type="checkbox" {...a11y} checked={value === true} onChange={(ev) => onChange(ev.target.checked)} />;
      break;
    case 'selectbox':
      control = <Select element={e} value={value} onChange={onChange} a11y={a11y} />;
      break;
    case 'multiselect':
      return (
        <fieldset className={error ? 'cmd-field cmd-multi invalid' : 'cmd-field cmd-multi'} aria-describedby={describedBy} data-field={e.key}>
          <legend>{e.label}</legend>
          <div className="cmd-chips">
            {(e.options ?? []).map((o) => {
              const list = Array.isArray(value) ? value : [];
              const on = list.some((x) => sameValue(x, o));
              // Options order, not click order: the same choice always builds the same list.
              const toggle = (checked: boolean) =>
                onChange((e.options ?? []).filter((x) => (sameValue(x, o) ? checked : list.some((y) => sameValue(y, x)))));
              return (
                <label key={String(o)} className={on ? 'chip on' : 'chip'}>
                  <input type="checkbox" checked={on} onChange={(ev) => toggle(ev.target.checked)} /> {String(o)}
                </label>
              );
            })}
          </div>
          <Help id={helpId} text={e.help} />
          <FieldError id={errorId} text={error} />
        </fieldset>
      );
    case 'slider':
      control = <RangeField element={e} value={value} onChange={onChange} a11y={a11y} />;
      break;
    case 'number':
      control = <NumberInput element={e} value={value} onChange={onChange} a11y={a11y} />;
      break;
    default:
      control = <TextInput element={e} value={value} onChange={onChange} a11y={a11y} />;
  }
  const checkbox = e.type === 'checkbox';
  return (
    <div className={`cmd-field${checkbox ? ' cmd-check' : ''}${error ? ' invalid' : ''}`} data-field={e.key}>
      {checkbox ? (
        <label htmlFor={id}>
          {control} {e.label}
        </label>
      ) : (
        <>
          {/* The star sits outside the <label>: the accessible name is the schema's label alone;
              `aria-required` tells assistive tech instead. */}
          <span className="cmd-label-row">
            <label htmlFor={id}>{e.label}</label>
            {required && <span className="cmd-required" aria-hidden="true" title="required">*</span>}
          </span>
          {control}
        </>
      )}
      <Help id={helpId} text={e.help} />
      <FieldError id={errorId} text={error} />
    </div>
  );
}

type A11y = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true; 'aria-required'?: true };

interface ControlProps {
  element: UIElement;
  value: FieldValue;
  onChange: (value: FieldValue) => void;
  a11y: A11y;
}

function Help({ id, text }: { id: string; text: string }) {
  return text ? <small id={id} className="cmd-help">{text}</small> : null;
}

function FieldError({ id, text }: { id: string; text: string | null }) {
  return text ? <small id={id} className="cmd-error" role="alert">{text}</small> : null;
}

/** Options may be numbers (batch sizes): the <option> carries the index, the form the typed value. */
function Select({ element: e, value, onChange, a11y }: ControlProps) {
  const options: Scalar[] = e.options ?? [];
  const index = options.findIndex((o) => sameValue(o, value));
  return (
    <select {...a11y} value={index < 0 ? '' : String(index)} onChange={(ev) => onChange(ev.target.value === '' ? null : options[Number(ev.target.value)])}>
      {index < 0 && <option value="">{value === null ? '(choose)' : `${formatValue(value)} (not an option)`}</option>}
      {options.map((o, i) => (
        <option key={i} value={String(i)}>
          {String(o)}
        </option>
      ))}
    </select>
  );
}

function RangeField({ element: e, value, onChange, a11y }: ControlProps) {
  const min = e.validation.min ?? 0;
  const max = e.validation.max ?? 100;
  const step = e.step ?? (e.dtype === 'int' ? 1 : (max - min) / 100);
  const n = typeof value === 'number' ? value : min;
  const { id, ...rest } = a11y;
  return (
    <Slider
      id={id}
      min={min}
      max={max}
      step={step}
      value={n}
      onChange={onChange}
      format={(v) => (typeof value === 'number' ? String(v) : '—')}
      className="cmd-slider"
      inputProps={rest}
    />
  );
}

/**
 * A number typed as text. Text that is not a number ("abc", or "1e-" on the way to one) is sent
 * as it is: the server refuses it naming the field, so the field shows why and the command is
 * marked invalid until it is fixed, instead of quietly keeping the last number. Empty sends null
 * (so a required field shows its error). A value set from outside (a preset, a pasted command)
 * replaces the text.
 */
function NumberInput({ element: e, value, onChange, a11y }: ControlProps) {
  const text = (v: FieldValue) => (v === null ? '' : String(v));
  const [draft, setDraft] = useState(() => text(value));
  const [seen, setSeen] = useState<FieldValue>(value);
  if (!sameValue(seen, value)) {
    setSeen(value);
    setDraft(text(value));
  }
  return (
    <input
      type="text"
      inputMode="decimal"
      {...a11y}
      value={draft}
      onChange={(ev) => {
        setDraft(ev.target.value);
        const n = parseNumber(ev.target.value);
        const next = n === undefined ? ev.target.value : n;
        setSeen(next);
        onChange(next);
      }}
      placeholder={e.default === null ? '' : String(e.default)}
    />
  );
}

/** Free text; the server's options (checkpoints, datasets, images) are suggestions only. */
function TextInput({ element: e, value, onChange, a11y }: ControlProps) {
  const listId = `${a11y.id}-options`;
  const options = e.options ?? [];
  return (
    <>
      <input
        type="text"
        {...a11y}
        list={options.length ? listId : undefined}
        spellCheck={false}
        value={value === null ? '' : String(value)}
        // Cleared text is "no value" when the field has none by default, so it adds no override.
        onChange={(ev) => onChange(ev.target.value === '' && e.default === null ? null : ev.target.value)}
      />
      {options.length > 0 && (
        <datalist id={listId}>
          {options.map((o) => (
            <option key={String(o)} value={String(o)} />
          ))}
        </datalist>
      )}
    </>
  );
}
