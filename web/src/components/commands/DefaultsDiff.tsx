import { formatValue, type DiffEntry } from './form';

/** Which fields differ from their schema default, old → new; what the command will override. */
export function DefaultsDiff({ diff, onReset }: { diff: DiffEntry[]; onReset: () => void }) {
  return (
    <section className="cmd-panel" aria-label="Changes from the defaults">
      <h2>Changed from defaults</h2>
      {diff.length === 0 ? (
        <p className="cmd-muted">Every field is at its default.</p>
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
