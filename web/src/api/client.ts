/** The few server routes the Studio reads. Every 4xx body is {"detail": "<sentence>"}. */

import { fetchOk, getJson } from './http';

export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  const?: unknown;
}

export interface PipelineInfo {
  id: string;
  description: string;
  ops: string[];
  params_style: 'by_op' | 'flat';
}

export interface OpInfo {
  summary: string;
  aliases: string[];
  routing_hints: string[];
  params_schema: JsonSchema;
}

export interface PipelinesResponse {
  pipelines: PipelineInfo[];
  ops: Record<string, OpInfo>;
  /** Over these, the server's own routing sends a preview to the server; the Studio previews on a
   *  proxy instead (workers/proxy.ts). */
  client_limits?: { max_bytes: number; max_side: number };
}

export interface ImageEntry {
  path: string;
  size_bytes: number;
}

export const fetchPipelines = () => getJson<PipelinesResponse>('/api/pipelines');

/** The data root's images; `data_root` is the folder as the server was given it. */
export const fetchImageListing = () => getJson<{ data_root: string; images: ImageEntry[] }>('/api/images');

export async function fetchImages(): Promise<ImageEntry[]> {
  return (await fetchImageListing()).images;
}

/** The URL of an image under the server's data root. */
export const imageUrl = (path: string) => `/api/images/${path.split('/').map(encodeURIComponent).join('/')}`;

export async function fetchImageBytes(path: string): Promise<Blob> {
  return (await fetchOk(imageUrl(path))).blob();
}
