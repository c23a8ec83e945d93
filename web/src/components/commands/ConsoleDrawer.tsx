import { useEffect, useState } from 'react';
import type { BuildResponse, CommandSchema, FormValues, ProjectInfo } from '../../api/commands';
import { posixQuote } from '../../lib/shellQuote';
import { saveBlob } from '../../lib/save';
import { scriptFile, type Shell } from './form';

export type DrawerState = 'pending' | 'ready' | 'error';

interface Props {
  schema: CommandSchema;
  /** The values `result` was built from (not the form's newer ones), so the file name matches it. */
  builtValues: FormValues;
  result: BuildResponse | null;
  state: DrawerState;
  error: string | null;
  /** The error is the server refusing a value: only a change to the form can fix it. */
  refused: boolean;
  /** Where the command runs (the Hydra project), or null for commands that run anywhere. */
  project: ProjectInfo | null;
  onRetry: () => void;
}

/**
 * The built command, POSIX or PowerShell. Copy and download take exactly the string on screen,
 * and both wait while a build is pending, so nothing older than the form leaves the page.
 */
export function ConsoleDrawer({ schema, builtValues, result, state, error, refused, project, onRetry }: Props) {
  const [shell, setShell] = useState<Shell>('posix');
  const [open, setOpen] = useState(true);
  const [copied, setCopied] = useState<string | null>(null);
  const shown = result ? (shell === 'posix' ? result.command : result.powershell) : '';
  const usable = state === 'ready' && result !== null;

  // "Copied" describes one string: it goes away when the string changes.
  useEffect(() => setCopied(null), [shown]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shown);
      setCopied('Copied to the clipboard.');
    } catch (e) {
      setCopied(`Could not copy (${(e as Error).message}); select the text and copy it by hand.`);
    }
  };

  const folder = project?.path ?? null;
  const download = (kind: Shell) => {
    if (!result) return;
    const file = scriptFile(kind, kind === 'posix' ? result.command : result.powershell, schema, builtValues, folder);
    saveBlob(new Blob([file.content], { type: file.type }), file.name);
  };

  return (
    <section className={open ? 'cmd-console' : 'cmd-console closed'} aria-label="Console" data-state={state}>
      <header className="cmd-console-bar">
        <button type="button" className="cmd-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} Console
        </button>
        <div role="group" aria-label="Shell" className="cmd-shells">
          <button type="button" aria-pressed={shell === 'posix'} onClick={() => setShell('posix')}>POSIX sh</button>
          <button type="button" aria-pressed={shell === 'powershell'} onClick={() => setShell('powershell')}>PowerShell</button>
        </div>
        <span className="cmd-status" role="status" data-testid="build-status">
          {state === 'pending'
            ? 'updating…'
            : state === 'error'
              ? refused
                ? 'not valid: fix the field'
                : 'not built'
              : (copied ?? (result?.validation_error ? 'built, not valid' : 'up to date'))}
        </span>
        <span className="cmd-actions">
          <button type="button" onClick={() => void copy()} disabled={!usable}>Copy</button>
          <button type="button" onClick={() => download('posix')} disabled={!usable}>Download .sh</button>
          <button type="button" onClick={() => download('powershell')} disabled={!usable}>Download .ps1</button>
        </span>
      </header>
      {open && (
        <div className="cmd-console-body">
          {project?.path && (
            <p className="cmd-where" data-testid="command-folder">
              Runs in the project folder: <code>cd {posixQuote(project.path)}</code>
              {project.example || !project.exists ? <> — {project.note}</> : null}
            </p>
          )}
          {error ? (
            <p className="cmd-console-error" role="alert">
              {refused ? <>Not valid, so there is no command to copy: {error}</> : <>{error} <button type="button" onClick={onRetry}>Retry</button></>}
            </p>
          ) : (
            <>
              {result?.validation_error && (
                <p className="cmd-console-warning">Not valid yet: {result.validation_error}</p>
              )}
              <pre data-testid="command-text" data-shell={shell} aria-label={shell === 'posix' ? 'POSIX command' : 'PowerShell command'}>
                {shown || ' '}
              </pre>
            </>
          )}
        </div>
      )}
    </section>
  );
}
