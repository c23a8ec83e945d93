/**
 * The `ocr-playground` command lines that redo what a Studio shows: `run` on this image, `detect`
 * with this checkpoint, `batch` over a folder. Built as argv and quoted with the project's shell
 * rules (lib/shellQuote.ts, the twin of the server's commands/quoting.py), so a copied line gives
 * the CLI exactly these params.
 */
import { posixJoin } from './shellQuote';

/** Where the picture came from: a file under the server's data root (as the CLI finds it: the data
 *  root joined with the path), or a local file known only by its name. */
export interface ImageOrigin {
  name: string;
  /** The path on the server's side, when the image is one of the data root's. */
  serverPath?: string;
}

/** What `batch` is pointed at when the image is a local file: a folder the user has to name. */
export const DATASET_PLACEHOLDER = 'path/to/images';

const json = (params: unknown) => JSON.stringify(params);
const stem = (name: string) => (name.split('/').pop() ?? name).replace(/\.[^.]+$/, '') || 'image';
const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.');

export function runCommand(image: ImageOrigin, params: unknown, pipeline = 'preprocessing'): string {
  const argv = ['ocr-playground', 'run', image.serverPath ?? image.name];
  if (pipeline !== 'preprocessing') argv.push('--pipeline', pipeline);
  return posixJoin([...argv, '--params', json(params), '-o', `${stem(image.name)}-out.png`]);
}

/** `ocr-playground detect IMAGE --checkpoint C [--recognizer R] --params JSON -o FILE`. */
export function detectCommand(image: ImageOrigin, checkpoint: string, params: unknown, recognizer?: string): string {
  const argv = ['ocr-playground', 'detect', image.serverPath ?? image.name, '--checkpoint', checkpoint];
  if (recognizer) argv.push('--recognizer', recognizer);
  return posixJoin([...argv, '--params', json(params), '-o', `${stem(image.name)}-predictions.json`]);
}

/** `ocr-playground batch DATASET --pipeline P --params JSON [--checkpoint C] [--recognizer R]`: the
 *  same params over the folder the image is in (a data-root folder), or over a folder to name for a
 *  local file. */
export function batchCommand(image: ImageOrigin, pipeline: string, params: unknown, checkpoint?: string, recognizer?: string): string {
  const dataset = image.serverPath ? folderOf(image.serverPath) : DATASET_PLACEHOLDER;
  const argv = ['ocr-playground', 'batch', dataset, '--pipeline', pipeline, '--params', json(params)];
  if (checkpoint) argv.push('--checkpoint', checkpoint);
  if (recognizer) argv.push('--recognizer', recognizer);
  return posixJoin(argv);
}
