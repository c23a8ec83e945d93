/** The few server routes the Studio reads. Every 4xx body is {"detail": "<sentence>"}. */

import { fetchOk, getJson } from './http';
import type { Contract } from '../contract';

// The catalogue GET /api/pipelines serves is the contract the SPA is built with (contract/index.ts).
export type { JsonSchema, OpInfo, PipelineInfo } from '../contract';
export type PipelinesResponse = Contract;

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
