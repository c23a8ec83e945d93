import type { JobStatus, RoutedBackend } from '../api/jobs';

/** Where the picture on screen was made and why, or how far its server job has come. */
export type RouteState =
  | { phase: 'server'; where: RoutedBackend; status: JobStatus; progress: number; jobId: string; taskId: string | null }
  | {
      phase: 'done';
      where: RoutedBackend | 'memo';
      reason: string;
      /** For a memo hit: which engine first made it. */
      origin?: RoutedBackend;
      jobId?: string;
      taskId: string | null;
      serverCacheKey?: string;
    };

const PLACE: Record<string, string> = {
  'client-workers': "in the browser's workers",
  'server-pipeline': 'on the server',
  'server-rembg': 'on the server (background removal)',
  'server-inference': 'on the server (inference)',
  'server-cache': 'on the server, from its cache',
};

export function RouteLine({ route }: { route: RouteState }) {
  const server = route.where !== 'client-workers' && route.where !== 'memo';
  const common = {
    className: server ? 'route-line server' : 'route-line',
    role: 'status',
    'data-testid': 'route-line',
    'data-phase': route.phase,
    'data-backend': route.where,
    'data-job-id': route.jobId ?? '',
    'data-task-id': route.taskId ?? '',
  };
  if (route.phase === 'server') {
    return (
      <p {...common}>
        Running {PLACE[route.where] ?? route.where}: job <code>{route.jobId}</code> {route.status}{' '}
        <progress max={1} value={route.progress} aria-label="server job progress" /> {(route.progress * 100).toFixed(0)}%
      </p>
    );
  }
  const where = route.where === 'memo' ? `from the memo (made ${PLACE[route.origin ?? ''] ?? 'earlier'})` : `ran ${PLACE[route.where] ?? route.where}`;
  return (
    <p {...common} data-server-cache-key={route.serverCacheKey ?? ''}>
      <strong>This preview {where}.</strong> {route.reason}
      {route.jobId && <> Job <a href="#/jobs"><code>{route.jobId}</code></a>.</>}
    </p>
  );
}
