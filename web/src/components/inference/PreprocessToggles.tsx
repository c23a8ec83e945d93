import type { OpInfo } from '../../api/client';

interface Props {
  ops: string[];
  info: Record<string, OpInfo>;
  enabled: Record<string, boolean>;
  onToggle: (op: string, on: boolean) => void;
}

/** On/off per preprocessing op, run before detection with the op's default params (sent as
 *  `true`, which the server reads as "on, with defaults"). The defaults are shown on hover. */
export function PreprocessToggles({ ops, info, enabled, onToggle }: Props) {
  return (
    <fieldset className="inf-toggles">
      <legend>Preprocessing</legend>
      {ops.map((op) => (
        <label key={op} title={`${info[op]?.summary ?? ''}\nDefaults: ${defaultsText(info[op])}`}>
          <input type="checkbox" aria-label={`${op} enabled`} checked={Boolean(enabled[op])} onChange={(e) => onToggle(op, e.target.checked)} />{' '}
          {op}
        </label>
      ))}
    </fieldset>
  );
}

function defaultsText(info: OpInfo | undefined): string {
  const props = info?.params_schema.properties ?? {};
  const parts = Object.entries(props).map(([k, v]) => `${k}=${JSON.stringify(v.default)}`);
  return parts.length ? parts.join(', ') : 'none';
}
