import type { Dataset } from '../api/runs';

interface Props {
  /** The select's accessible name. */
  label: string;
  datasets: Dataset[];
  value: string;
  onChange: (path: string) => void;
  /** An empty first option with this text (nothing chosen yet). */
  placeholder?: string;
}

/** A folder under the data root to run on, with its image count and whether it has ground truth. */
export function DatasetSelect({ label, datasets, value, onChange, placeholder }: Props) {
  return (
    <label>
      Dataset{' '}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {datasets.map((d) => (
          <option key={d.path} value={d.path}>
            {d.path || '(data root)'} — {d.images} images{d.gt ? ', ground truth' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
