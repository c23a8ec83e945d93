import { Slider } from '../Slider';
import { formatValue, type ThresholdField } from './logic';

interface Props {
  fields: ThresholdField[];
  values: Record<string, unknown>;
  onChange: (name: string, value: unknown) => void;
  onReset: () => void;
}

/** The post-processing thresholds, one control per property of GET /api/inference/schema; the
 *  schema's description (what the threshold does) is the control's tooltip and help text. */
export function ThresholdControls({ fields, values, onChange, onReset }: Props) {
  return (
    <fieldset className="inf-thresholds">
      <legend>Detection</legend>
      {fields.map((f) => {
        const id = `inf-${f.name}`;
        const value = values[f.name];
        let control;
        if (f.kind === 'enum') {
          control = (
            <select id={id} aria-label={`detection ${f.name}`} value={String(value)} onChange={(e) => onChange(f.name, e.target.value)}>
              {f.options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          );
        } else if (f.kind === 'boolean') {
          control = <input id={id} type="checkbox" aria-label={`detection ${f.name}`} checked={Boolean(value)} onChange={(e) => onChange(f.name, e.target.checked)} />;
        } else {
          control = (
            <Slider id={id} label={`detection ${f.name}`} min={f.min} max={f.max} step={f.step} value={Number(value)} onChange={(v) => onChange(f.name, v)} format={(v) => formatValue(v, f)} />
          );
        }
        return (
          <div key={f.name} className="field" title={f.description}>
            <label htmlFor={id}>{f.name}</label>
            {control}
          </div>
        );
      })}
      <button type="button" onClick={onReset}>
        Reset to defaults
      </button>
    </fieldset>
  );
}
