import { useEffect, useMemo, useRef, useState } from 'react';
import {
  buildCommand,
  fetchProject,
  fetchSchema,
  fetchSchemas,
  type BuildRequest,
  type BuildResponse,
  type CommandSchema,
  type FieldValue,
  type FormValues,
  type ParseResponse,
  type ProjectInfo,
  type Recommendation,
  type SchemaSummary,
} from '../api/commands';
import { ApiError } from '../api/http';
import { ConsoleDrawer, type DrawerState } from '../components/commands/ConsoleDrawer';
import { DefaultsDiff } from '../components/commands/DefaultsDiff';
import { defaultsOf, diffAgainstDefaults, fieldNamedIn, fillFrom, sameValue, suffixed, visibleKeys } from '../components/commands/form';
import { PasteCommand } from '../components/commands/PasteCommand';
import { Presets } from '../components/commands/Presets';
import { SchemaForm } from '../components/commands/SchemaForm';
import { createSettledRunner, keyOf } from '../lib/latest';

const BUILD_DEBOUNCE_MS = 250;
const PREFERRED_SCHEMA = 'train';

/** The schema and its values change together, so a schema switch is one change, one build. */
interface FormState {
  schema: CommandSchema;
  values: FormValues;
  appendSuffix: boolean;
}

/** What the console shows: the answer to one request (`key`), never a mix of two. */
interface Built {
  key: string;
  request: BuildRequest;
  result: BuildResponse | null;
  error: string | null;
  /** The server refused a value (4xx): the form must change, retrying the same one cannot help. */
  refused: boolean;
}

function requestFor(form: FormState): BuildRequest {
  // allow_invalid: a half-filled form shows its broken rule next to the field instead of a 422.
  return { schema_id: form.schema.id, values: form.values, append_model_suffix: form.appendSuffix, allow_invalid: true };
}

function sameForm(a: FormValues, b: FormValues): boolean {
  return Object.keys({ ...a, ...b }).every((k) => sameValue(a[k], b[k]));
}

export function Commands() {
  const [summaries, setSummaries] = useState<SchemaSummary[] | null>(null);
  const [form, setForm] = useState<FormState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [built, setBuilt] = useState<Built | null>(null);
  const [applied, setApplied] = useState<Recommendation | null>(null);
  // The schema asked for last; the picker shows it at once, and an older answer is dropped.
  const [wanted, setWanted] = useState<string | null>(null);
  const [project, setProject] = useState<ProjectInfo | null>(null);
  const wantedSchema = useRef<string | null>(null);

  const loadSchema = (id: string) => {
    wantedSchema.current = id;
    setWanted(id);
    fetchSchema(id)
      .then((schema) => {
        if (wantedSchema.current !== id) return; // the user picked another one meanwhile
        setForm({ schema, values: defaultsOf(schema), appendSuffix: false });
        setApplied(null);
        setLoadError(null);
      })
      .catch((e: Error) => setLoadError(`Could not load the form ${id}: ${e.message}`));
  };

  useEffect(() => {
    fetchSchemas()
      .then((list) => {
        setSummaries(list);
        const first = list.find((s) => s.id === PREFERRED_SCHEMA) ?? list[0];
        if (first) loadSchema(first.id);
      })
      .catch((e: Error) => setLoadError(`Could not load the command schemas: ${e.message}`));
    fetchProject()
      .then(setProject)
      .catch(() => setProject(null)); // the console then just does not say where to run
  }, []);

  // One runner for the page's life. Its callbacks only set `built`, which no request depends on:
  // the server's normalised `values` are shown, never written back into the form (that would loop).
  const runner = useMemo(
    () =>
      createSettledRunner<BuildRequest, BuildResponse>({
        delayMs: BUILD_DEBOUNCE_MS,
        run: buildCommand,
        onResult: (result, request, key) => setBuilt({ key, request, result, error: null, refused: false }),
        onError: (e, request, key) => {
          const refused = e instanceof ApiError && e.status >= 400 && e.status < 500;
          setBuilt({ key, request, result: null, error: (e as Error).message, refused });
        },
      }),
    [],
  );
  useEffect(() => () => runner.cancel(), [runner]);

  // Keyed on the request's JSON, not on object identity: a re-render that changes nothing sends nothing.
  const requestKey = form ? keyOf(requestFor(form)) : null;
  useEffect(() => {
    if (requestKey !== null) runner.schedule(JSON.parse(requestKey) as BuildRequest);
  }, [runner, requestKey]);

  const shown = useMemo(() => (form ? visibleKeys(form.schema, form.values) : new Set<string>()), [form]);
  const diff = useMemo(() => (form ? diffAgainstDefaults(form.schema, form.values, form.appendSuffix) : []), [form]);

  if (!form) {
    return (
      <main className="page cmd-page">
        <h1 className="cmd-title">Command Builder</h1>
        {loadError ? <p role="alert" className="error">{loadError}</p> : <p>Loading the command forms…</p>}
      </main>
    );
  }

  const { schema, values } = form;
  const setValue = (key: string, value: FieldValue) => setForm((f) => f && { ...f, values: { ...f.values, [key]: value } });
  const current = built !== null && built.key === requestKey ? built : null;
  const state: DrawerState = current === null ? 'pending' : current.error ? 'error' : 'ready';
  // While a build is pending the last answer stays on screen (dimmed), so the text does not flicker.
  const result = built?.result ?? null;
  // The latest verdict, even while a newer build is pending: an error that blinks off on every
  // keystroke is harder to read than one that updates a moment late. A broken rule comes as
  // `invalid_field`; a refused value (422) names its field in the sentence.
  const refusal = built?.error ? { field: fieldNamedIn(built.error, schema), message: built.error } : null;
  const inline = result?.invalid_field
    ? { field: result.invalid_field, message: result.validation_error }
    : refusal?.field
      ? refusal
      : null;
  const architecture = schema.ui_elements.some((e) => e.key === 'architecture') && typeof values.architecture === 'string' ? values.architecture : null;
  const appliedId =
    applied && sameForm(fillFrom(schema, applied.values), values) && applied.append_model_suffix === form.appendSuffix ? applied.id : null;
  const suffix = schema.model_suffix;
  const suffixLabels = suffix?.parts.map((p) => schema.ui_elements.find((e) => e.key === p)?.label ?? p).join(' and ');
  const preview = suffixed(schema, values);
  const suffixTarget = suffix ? (schema.ui_elements.find((e) => e.key === suffix.target)?.label ?? suffix.target) : '';

  const applyPreset = (p: Recommendation) => {
    setForm({ schema, values: fillFrom(schema, p.values), appendSuffix: p.append_model_suffix });
    setApplied(p);
  };
  const applyParsed = (p: ParseResponse) => setForm({ schema, values: fillFrom(schema, p.values), appendSuffix: p.append_model_suffix });

  return (
    <main className="page cmd-page">
      <section className="cmd-head" aria-label="Command">
        <label>
          Command{' '}
          <select aria-label="Command schema" value={wanted ?? schema.id} onChange={(e) => loadSchema(e.target.value)}>
            {summaries?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <code className="cmd-script">{schema.script}</code>
        <p className="cmd-desc">{schema.description}</p>
      </section>
      {loadError && <p role="alert" className="error">{loadError}</p>}
      <div className="cmd-layout">
        <aside className="cmd-side">
          <Presets schemaId={schema.id} architecture={architecture} appliedId={appliedId} onApply={applyPreset} />
          {/* Keyed by the form: a paste error is about the form it was pasted into. */}
          <PasteCommand key={schema.id} schemaId={schema.id} prefix={schema.argv.join(' ')} onParsed={applyParsed} />
        </aside>
        <section className="cmd-main" aria-label="Form">
          {suffix && (
            <div className="cmd-field cmd-check cmd-suffix">
              <label>
                <input
                  type="checkbox"
                  checked={form.appendSuffix}
                  aria-describedby="cmd-suffix-help"
                  onChange={(e) => setForm({ ...form, appendSuffix: e.target.checked })}
                />{' '}
                Append model suffix
              </label>
              <small id="cmd-suffix-help" className="cmd-help">
                Appends {suffixLabels} to {suffixTarget}
                {preview !== null && <> (<code>{preview}</code>)</>}.
              </small>
            </div>
          )}
          <SchemaForm
            schema={schema}
            values={values}
            shown={shown}
            onChange={setValue}
            invalidField={inline?.field ?? null}
            validationError={inline?.message ?? null}
          />
        </section>
        <aside className="cmd-side">
          <DefaultsDiff
            diff={diff}
            constant={schema.constant_overrides}
            onReset={() => setForm({ schema, values: defaultsOf(schema), appendSuffix: false })}
          />
        </aside>
      </div>
      <ConsoleDrawer
        schema={schema}
        builtValues={built?.request.values ?? values}
        result={result}
        state={state}
        error={current?.error ?? null}
        refused={current?.refused ?? false}
        project={schema.hydra ? project : null}
        onRetry={() => {
          // Forget the failed request so the same one is sent again (a server that was down).
          runner.cancel();
          setBuilt(null);
          runner.schedule(requestFor(form));
        }}
      />
    </main>
  );
}
