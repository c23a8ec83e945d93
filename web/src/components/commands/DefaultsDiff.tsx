import { formatValue, type DiffEntry } from './form';

interface Props {
  diff: DiffEntry[];
  /** Overrides the form always sets (`trainer.deterministic=true`): in the command whatever
   *  the fields say, so "every field is at its default" must not read as "nothing is set". */
  constant: string[];
  onReset: () => void;
}

/** Which fields differ from their schema default, old → new; what the command will override. */
export function DefaultsDiff({ diff, constant, onReset }: Props) {
  return (
    <section className="cmd-panel" aria-label="Changes from the defaults">
      <h2>Changed from defaults</h2>
      {constant.length > 0 && (
        <p className="cmd-muted" data-testid="constant-overrides">
          Always set by this form: {constant.map((c, i) => <span key={c}>{i > 0 && ', '}<code>{c}</code></span>)}.
        </p>
      )}
      {diff.length === 0 ? (
        <p className="cmd-muted">{constant.length ? 'Every field is at its default; the command carries only what is always set.' : 'Every field is at its default.'}</p>
      ) : (
        <>
          <table className="cmd-diff" data-testid="defaults-diff">
            <tbody>
              {diff.map((d) => (
                <tr key={d.key} data-key={d.key}>
                  <th scope="row">{d.label}</th>
                  <td>
                    <del>{formatValue(d.from)}</del> → <ins>{formatValue(d.to)}</ins>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={onReset}>Reset to defaults</button>
        </>
      )}
    </section>
  );
}
