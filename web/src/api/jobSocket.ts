/**
 * Follows jobs on WS /api/pipelines/ws. The socket is shared by everything on the page; each
 * caller follows job ids and gets their updates. When the socket drops it reconnects with
 * exponential backoff, subscribes again to every followed id (the server answers a subscribe
 * with the current state) and also refetches each job over HTTP, so a change that happened while
 * the socket was down is never lost.
 */
import { fetchJob, isFinished, type Job, type JobUpdate } from './jobs';

/** What we need of a WebSocket; a fake implements it in the unit tests. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export type UpdateListener = (update: JobUpdate) => void;
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface JobSocketOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  fetchJob?: (jobId: string) => Promise<Job>;
  /** First retry after this, doubling up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;

export class JobSocket {
  private socket: SocketLike | null = null;
  private readonly followers = new Map<string, Set<UpdateListener>>();
  private readonly anyListeners = new Set<UpdateListener>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pausedUntil = 0;
  private stopped = false;
  state: ConnectionState = 'closed';
  /** How many times the socket came back after a drop (shown on the Jobs page, read by tests). */
  reconnects = 0;

  constructor(private readonly options: JobSocketOptions) {}

  /** Follow a job: the listener gets its current state soon, then every change. */
  follow(jobId: string, listener: UpdateListener): () => void {
    let set = this.followers.get(jobId);
    const isNew = !set;
    if (!set) this.followers.set(jobId, (set = new Set()));
    set.add(listener);
    this.ensureOpen();
    if (isNew) this.sendJson({ subscribe: jobId });
    return () => {
      const s = this.followers.get(jobId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) {
        this.followers.delete(jobId);
        this.sendJson({ unsubscribe: jobId });
      }
    };
  }

  /** Every update of every followed job (the Jobs page, which wants the socket open even
   *  before it follows anything, to show the connection is live). */
  onUpdate(listener: UpdateListener): () => void {
    this.anyListeners.add(listener);
    this.ensureOpen();
    return () => this.anyListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  /** Drop the connection as a network failure would, and stay away for `offlineMs`
   *  (the E2E test's way to kill the socket mid-job). */
  drop(offlineMs = 0): void {
    this.pausedUntil = Date.now() + offlineMs;
    this.socket?.close(4000, 'dropped on purpose');
  }

  dispose(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'disposed');
    }
  }

  private ensureOpen(): void {
    if (this.stopped || this.socket || this.retryTimer) return;
    this.connect();
  }

  private connect(): void {
    this.retryTimer = null;
    if (this.stopped) return;
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const socket = create(this.options.url);
    this.socket = socket;
    this.setState('connecting');
    socket.onopen = () => {
      const wasDrop = this.attempt > 0;
      this.attempt = 0;
      this.setState('open');
      const ids = [...this.followers.keys()];
      if (ids.length) this.sendJson({ subscribe: ids });
      if (wasDrop) {
        this.reconnects += 1;
        this.refetch(ids);
      }
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onerror = () => {
      /* onclose follows and handles it */
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setState('closed');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    // Reconnect only while someone listens; the next follow() reconnects otherwise.
    if (this.followers.size === 0 && this.anyListeners.size === 0) return;
    const base = this.options.baseDelayMs ?? 250;
    const max = this.options.maxDelayMs ?? 5000;
    const backoff = Math.min(max, base * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.max(backoff, this.pausedUntil - Date.now());
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** States over HTTP after a drop: the subscribe answer covers it too, but a job that finished
   *  while we were away is then shown even if the socket drops again at once. */
  private refetch(ids: string[]): void {
    const fetchJob = this.options.fetchJob;
    if (!fetchJob) return;
    for (const id of ids) {
      fetchJob(id)
        .then((job) =>
          this.deliver({ job_id: job.job_id, status: job.status, progress: job.progress, result_path: job.result_path, task_id: job.task_id, error: job.error, report: job.report, notes: job.notes }),
        )
        .catch(() => undefined);
    }
  }

  private onMessage(data: unknown): void {
    let message: Partial<JobUpdate> & { detail?: string };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    if (!message.job_id || !message.status) return; // a refusal of a malformed request
    this.deliver(message as JobUpdate);
  }

  private deliver(update: JobUpdate): void {
    for (const listener of [...(this.followers.get(update.job_id) ?? [])]) listener(update);
    for (const listener of [...this.anyListeners]) listener(update);
  }

  private sendJson(message: unknown): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
    // Not open: onopen subscribes to every followed id, so nothing is lost.
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** Resolve with the job's final update (completed, failed or cancelled). */
export function untilFinished(socket: JobSocket, jobId: string, onProgress?: UpdateListener): { done: Promise<JobUpdate>; stop: () => void } {
  let stop = () => {};
  const done = new Promise<JobUpdate>((resolve) => {
    stop = socket.follow(jobId, (update) => {
      onProgress?.(update);
      if (isFinished(update.status)) {
        stop();
        resolve(update);
      }
    });
  });
  return { done, stop };
}

let shared: JobSocket | null = null;

/** The page's one job socket, on the same host as the page. */
export function jobSocket(): JobSocket {
  if (shared) return shared;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  shared = new JobSocket({
    url: `${scheme}//${location.host}/api/pipelines/ws`,
    fetchJob,
  });
  return shared;
}
