/**
 * "Open in the Inference Studio / Preprocessing Studio" from the Lab: the link names a run and one
 * of its images (`#/inference?run=run-…&image=…`); the Studio fetches the run's spec and the image
 * the run read, then applies the spec's checkpoint, thresholds and ops and opens the image.
 */
import { useEffect, useRef } from 'react';
import { fetchOk } from '../../api/http';
import { itemImageUrl } from '../../api/lab';
import { fetchRun, type RunSpec } from '../../api/runs';
import { currentQuery, hashLink } from '../../router';
import type { OpState } from '../OpControls';

export interface Handoff {
  runId: string;
  spec: RunSpec;
  name: string;
  file: File;
}

export const studioLink = (page: '/' | '/inference', runId: string, image: string) => hashLink(page, { run: runId, image });

/** The spec's preprocessing ops (everything but the detection thresholds and the recognition
 *  params), as on/off + values. */
export function opsOf(params: Record<string, unknown>): Record<string, Record<string, unknown> | true> {
  const out: Record<string, Record<string, unknown> | true> = {};
  for (const [op, value] of Object.entries(params)) {
    if (op === 'detection' || op === 'recognition' || value === false || value === null || value === undefined) continue;
    out[op] = typeof value === 'object' ? (value as Record<string, unknown>) : true;
  }
  return out;
}

/** The Preprocessing Studio's op state with a run's ops switched on (their values over the defaults). */
export function applyOps(state: Record<string, OpState>, params: Record<string, unknown>): Record<string, OpState> {
  const ops = opsOf(params);
  return Object.fromEntries(
    Object.entries(state).map(([op, s]) => {
      const given = ops[op];
      return [op, { enabled: given !== undefined, values: given && given !== true ? { ...s.values, ...given } : s.values }];
    }),
  );
}

/** Once `ready`, hand the run named in the page's hash (if any) to `apply`; errors to `onError`. */
export function useRunHandoff(ready: boolean, apply: (h: Handoff) => void, onError: (message: string) => void): void {
  const done = useRef(false);
  useEffect(() => {
    const query = currentQuery();
    const runId = query.get('run');
    const name = query.get('image');
    if (!ready || done.current || !runId || !name) return;
    done.current = true;
    Promise.all([fetchRun(runId), fetchOk(itemImageUrl(runId, name)).then((r) => r.blob())])
      .then(([run, blob]) => apply({ runId, spec: run.spec, name, file: new File([blob], name.split('/').pop() ?? name, { type: blob.type }) }))
      .catch((e: Error) => onError(`Could not open ${name} of ${runId}: ${e.message}`));
  }, [ready, apply, onError]);
}
