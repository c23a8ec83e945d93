/**
 * The Studio's render loop: the latest params, rendered one at a time through the hybrid renderer
 * (lib/latest.ts), so a drag repaints as fast as renders come back and ends on the last params.
 * A result for an image that is no longer open is never shown.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RouteState } from '../components/RouteLine';
import { LatestRunner } from '../lib/latest';
import { SupersededError, WorkerCrashedError, type PipelineParams } from '../workers';
import type { HybridRenderer, Rendered, SourceImage } from './hybrid';

export interface RenderRequest {
  source: SourceImage;
  params: PipelineParams;
  forceServer: boolean;
  /** The client limit on the long side, from GET /api/pipelines. */
  maxSide?: number;
}

export interface RenderState {
  preview: Rendered | null;
  route: RouteState | null;
  busy: boolean;
  error: string | null;
}

export function useRender(hybrid: HybridRenderer, pipelineId: string, request: RenderRequest | null): RenderState {
  const [state, setState] = useState<RenderState>({ preview: null, route: null, busy: false, error: null });
  const current = useRef<SourceImage | null>(null);

  const runner = useMemo(
    () =>
      new LatestRunner<RenderRequest>(
        async (req, signal) => {
          const shown = () => current.current === req.source;
          try {
            const p = await hybrid.render(req.source, req.params, {
              pipelineId,
              forceServer: req.forceServer,
              maxSide: req.maxSide,
              signal,
              onServerUpdate: (u, answer) => {
                if (!shown() || signal.aborted) return;
                const route: RouteState = { phase: 'server', where: answer.routed_backend, status: u.status, progress: u.progress, jobId: u.job_id, taskId: u.task_id };
                setState((s) => ({ ...s, route }));
              },
            });
            if (!shown()) return;
            const route: RouteState = {
              phase: 'done',
              where: p.where,
              reason: p.decision.reason,
              origin: p.where === 'memo' ? hybrid.originOf(p.cacheKey) : undefined,
              jobId: p.jobId,
              taskId: p.taskId,
              serverCacheKey: p.serverCacheKey,
            };
            setState((s) => ({ ...s, preview: p, route, error: null }));
          } catch (e) {
            if (e instanceof SupersededError || !shown()) return; // a newer request owns the view
            const error = e instanceof WorkerCrashedError ? e.message : `The preview failed: ${(e as Error).message}`;
            setState((s) => ({ ...s, route: null, error }));
          }
        },
        () => setState((s) => ({ ...s, busy: false })),
      ),
    [hybrid, pipelineId],
  );

  const source = request?.source ?? null;
  const key = request ? JSON.stringify([request.params, request.forceServer, request.maxSide]) : null;
  useEffect(() => {
    if (!request) return;
    if (current.current !== request.source) setState({ preview: null, route: null, busy: true, error: null });
    else setState((s) => (s.busy ? s : { ...s, busy: true }));
    current.current = request.source;
    runner.push(request);
    // The key stands for the params object (a new object with equal content is no change).
  }, [runner, source, key]); // eslint-disable-line react-hooks/exhaustive-deps

  return state;
}
