/** The command builder's routes (/api/commands). The server builds and validates; the page shows. */
import { getJson, postJson } from './http';

export type ElementType = 'text_input' | 'number' | 'slider' | 'checkbox' | 'selectbox' | 'multiselect' | 'info';
export type Scalar = string | number | boolean;
/** A form value as JSON carries it; `null` is "no value" for every type. */
export type FieldValue = Scalar | Scalar[] | null;
export type FormValues = Record<string, FieldValue>;

export interface SchemaSummary {
  id: string;
  label: string;
  script: string;
  description: string;
}

export interface Validation {
  required: boolean;
  required_if: Record<string, unknown> | null;
  min: number | null;
  max: number | null;
  min_length: number | null;
  pattern: string | null;
}

export interface UIElement {
  key: string;
  type: ElementType;
  label: string;
  help: string;
  default: FieldValue;
  dtype: 'int' | 'float' | null;
  step: number | null;
  hydra_override: string | null;
  hydra_mode: 'set' | 'add' | 'force_add' | 'delete';
  /** Filled in by the server (options_source resolved); suggestions only for a text_input. */
  options: Scalar[] | null;
  options_source: string | null;
  visible_if: Record<string, unknown> | null;
  validation: Validation;
}

export interface ModelSuffix {
  target: string;
  parts: string[];
  separator: string;
}

export interface CommandSchema {
  id: string;
  label: string;
  description: string;
  script: string;
  argv: string[];
  constant_overrides: string[];
  model_suffix: ModelSuffix | null;
  /** Set for the scripts of the Hydra project (they run in its folder); null for our own CLI. */
  hydra?: { config_path: string; config_name: string } | null;
  ui_elements: UIElement[];
}

/** Where the Hydra forms' commands run (GET /api/commands/project). */
export interface ProjectInfo {
  path: string | null;
  exists: boolean;
  /** The bundled example project: its scripts compose the config and train nothing. */
  example: boolean;
  note: string;
}

export interface BuildRequest {
  schema_id: string;
  values: FormValues;
  append_model_suffix: boolean;
  only_changed?: boolean;
  allow_invalid?: boolean;
}

export interface BuildResponse {
  schema_id: string;
  /** POSIX shell, each argument quoted as needed; `argv` is what it splits into. */
  command: string;
  argv: string[];
  powershell: string;
  overrides: string[];
  constant_overrides: string[];
  validation_error: string | null;
  invalid_field: string | null;
  values: FormValues;
  changed: string[];
}

export interface Recommendation {
  id: string;
  label: string;
  description: string;
  schema_id: string;
  architecture: string | null;
  append_model_suffix: boolean;
  values: FormValues;
}

export interface ParseResponse {
  schema_id: string;
  values: FormValues;
  append_model_suffix: boolean;
}

const BASE = '/api/commands';

export const fetchSchemas = () => getJson<SchemaSummary[]>(`${BASE}/schemas`);

export const fetchProject = () => getJson<ProjectInfo>(`${BASE}/project`);

export const fetchSchema = (id: string) => getJson<CommandSchema>(`${BASE}/schemas/${encodeURIComponent(id)}`);

export const buildCommand = (body: BuildRequest, signal?: AbortSignal) =>
  postJson<BuildResponse>(`${BASE}/build`, body, signal);

export function fetchRecommendations(filter: { schemaId?: string; architecture?: string | null }): Promise<Recommendation[]> {
  const query = new URLSearchParams();
  if (filter.schemaId) query.set('schema_id', filter.schemaId);
  if (filter.architecture) query.set('architecture', filter.architecture);
  return getJson<Recommendation[]>(`${BASE}/recommendations?${query.toString()}`);
}

export const parseCommand = (schemaId: string, command: string) =>
  postJson<ParseResponse>(`${BASE}/parse`, { schema_id: schemaId, command });
