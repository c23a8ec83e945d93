/**
 * The one slider of the SPA: a range input and the value it shows, for the Studio's op params, the
 * Inference Studio's thresholds and the command builder's numbers. The bounds and the step come
 * from the caller's schema (lib/schema.ts for JSON Schema, the command form's element for the
 * builder); `format` says how the value reads.
 */
export interface SliderProps {
  id: string;
  /** The accessible name, when no <label> names the input. */
  label?: string;
  min?: number;
  max?: number;
  step?: number;
  value: number;
  onChange: (value: number) => void;
  disabled?: boolean;
  /** The shown value (default: the number as it is). */
  format?: (value: number) => string;
  className?: string;
  /** More attributes for the input (aria-describedby, aria-invalid, ...). */
  inputProps?: Record<string, unknown>;
}

export function Slider({ id, label, min, max, step, value, onChange, disabled, format, className = 'slider', inputProps }: SliderProps) {
  return (
    <span className={className}>
      <input
        id={id}
        type="range"
        aria-label={label}
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        {...inputProps}
        onChange={(e) => onChange(Number(e.target.value))}
      />
      <output htmlFor={id}>{format ? format(value) : String(value)}</output>
    </span>
  );
}
