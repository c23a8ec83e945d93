import type { ImagePayload, RunResult, WorkerReply, WorkerRequest } from './protocol';
import type { Step } from './pipeline';

/** What the pool needs from a Worker; a fake implements it in the unit tests. */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

/** Thrown for a task replaced by a newer one in its channel: it must never be painted. */
export class SupersededError extends Error {
  constructor(taskId: string) {
    super(`task ${taskId} was superseded by newer params`);
    this.name = 'SupersededError';
  }
}

export class WorkerCrashedError extends Error {
  constructor(taskId: string, detail: string) {
    super(`the worker running task ${taskId} crashed (${detail}); it was restarted`);
    this.name = 'WorkerCrashedError';
  }
}

export interface PoolStatus {
  size: number;
  queued: number;
  running: number;
  /** queued + running: what the Studio shows as the worker queue depth. */
  depth: number;
}

export type PoolEvent =
  | { kind: 'status'; status: PoolStatus }
  | { kind: 'crash'; taskId: string | null; message: string }
  | { kind: 'abort'; taskId: string };

export interface RunOptions {
  /** Higher runs first; FIFO among equals. */
  priority?: number;
  /** Latest wins within a channel: a newer task supersedes any older one still queued or running. */
  channel?: string;
}

interface Task {
  taskId: string;
  imageId: string;
  steps: Step[];
  priority: number;
  channel?: string;
  seq: number;
  startedAt?: number;
  slot?: Slot;
  superseded: boolean;
  resolve: (result: RunResult['payload']) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: WorkerLike;
  task: Task | null;
  loaded: Set<string>;
}

export interface PoolOptions {
  /** A superseded task that has run at least this long is aborted (terminate and respawn);
   *  a younger one is left to finish, since a respawn costs more, and its result is dropped. */
  abortAfterMs?: number;
  now?: () => number;
}

export function defaultPoolSize(hardwareConcurrency = globalThis.navigator?.hardwareConcurrency ?? 2): number {
  return Math.min(4, Math.max(1, hardwareConcurrency - 1));
}

let taskCounter = 0;
export function newTaskId(): string {
  taskCounter += 1;
  return `t${Date.now().toString(36)}-${taskCounter}`;
}

/**
 * A fixed set of module workers fed from one priority queue. Replies are matched to their task
 * by taskId, never by arrival order, so a stale reply (from before a respawn, say) is ignored.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly images = new Map<string, ImagePayload>();
  private readonly listeners = new Set<(event: PoolEvent) => void>();
  private readonly abortAfterMs: number;
  private readonly now: () => number;
  private seq = 0;
  private lastStatus = '';

  constructor(
    private readonly createWorker: () => WorkerLike,
    readonly size: number = defaultPoolSize(),
    options: PoolOptions = {},
  ) {
    this.abortAfterMs = options.abortAfterMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  subscribe(listener: (event: PoolEvent) => void): () => void {
    this.listeners.add(listener);
    listener({ kind: 'status', status: this.status() });
    return () => this.listeners.delete(listener);
  }

  status(): PoolStatus {
    const running = this.slots.filter((s) => s.task).length;
    return { size: this.size, queued: this.queue.length, running, depth: this.queue.length + running };
  }

  /** Make a source image available to tasks; each worker receives a copy when first needed. */
  addImage(imageId: string, image: ImagePayload): void {
    this.images.set(imageId, image);
  }

  removeImage(imageId: string): void {
    this.images.delete(imageId);
    for (const slot of this.slots) {
      if (slot.loaded.delete(imageId)) slot.worker.postMessage({ taskId: newTaskId(), type: 'forget', payload: { imageId } });
    }
  }

  run(imageId: string, steps: Step[], options: RunOptions = {}): { taskId: string; done: Promise<RunResult['payload']> } {
    if (!this.images.has(imageId)) throw new Error(`image ${imageId} was not added to the pool`);
    const taskId = newTaskId();
    if (options.channel !== undefined) this.supersede(options.channel);
    const done = new Promise<RunResult['payload']>((resolve, reject) => {
      this.queue.push({
        taskId,
        imageId,
        steps,
        priority: options.priority ?? 0,
        channel: options.channel,
        seq: this.seq++,
        superseded: false,
        resolve,
        reject,
      });
    });
    this.pump();
    this.emitStatus();
    return { taskId, done };
  }

  dispose(): void {
    for (const slot of this.slots) slot.worker.terminate();
    for (const task of this.queue) task.reject(new Error('the worker pool was disposed'));
    this.queue.length = 0;
    this.slots.length = 0;
  }

  /** Supersede everything in a channel without starting anything (e.g. a memo hit answered it). */
  cancel(channel: string): void {
    this.supersede(channel);
    this.emitStatus();
  }

  private supersede(channel: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const task = this.queue[i];
      if (task.channel !== channel) continue;
      this.queue.splice(i, 1);
      task.reject(new SupersededError(task.taskId));
    }
    for (const slot of this.slots) {
      const task = slot.task;
      if (!task || task.channel !== channel || task.superseded) continue;
      task.superseded = true;
      if (this.now() - (task.startedAt ?? 0) >= this.abortAfterMs) {
        this.respawn(slot);
        task.reject(new SupersededError(task.taskId));
        this.emit({ kind: 'abort', taskId: task.taskId });
      }
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: this.createWorker(), task: null, loaded: new Set() };
    this.wire(slot);
    return slot;
  }

  private wire(slot: Slot): void {
    const worker = slot.worker;
    worker.onmessage = (event) => {
      if (slot.worker === worker) this.onReply(slot, event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (slot.worker === worker) this.onCrash(slot, event.message || 'uncaught error');
    };
  }

  /** Replace a slot's worker (after a crash or an abort); parked images must be sent again. */
  private respawn(slot: Slot): void {
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
    slot.worker = this.createWorker();
    slot.loaded = new Set();
    slot.task = null;
    this.wire(slot);
    queueMicrotask(() => {
      this.pump();
      this.emitStatus();
    });
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    const task = slot.task;
    if (!task || task.taskId !== reply.taskId) return; // stale: not what this worker runs now
    slot.task = null;
    if (task.superseded) task.reject(new SupersededError(task.taskId));
    else if (reply.type === 'result') task.resolve(reply.payload);
    else task.reject(new Error(reply.payload.message));
    this.pump();
    this.emitStatus();
  }

  private onCrash(slot: Slot, message: string): void {
    const task = slot.task;
    this.respawn(slot);
    this.emit({ kind: 'crash', taskId: task?.taskId ?? null, message });
    if (task) task.reject(task.superseded ? new SupersededError(task.taskId) : new WorkerCrashedError(task.taskId, message));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      const task = this.takeNext();
      const image = this.images.get(task.imageId);
      if (!image) {
        // Another image was opened since: the task is as stale as a superseded one.
        task.reject(new SupersededError(task.taskId));
        continue;
      }
      if (!slot.loaded.has(task.imageId)) {
        // A structured-clone copy, not a transfer: the pool keeps the original for other workers.
        slot.worker.postMessage({ taskId: task.taskId, type: 'load', payload: { imageId: task.imageId, image } });
        slot.loaded.add(task.imageId);
      }
      slot.task = task;
      task.slot = slot;
      task.startedAt = this.now();
      slot.worker.postMessage({ taskId: task.taskId, type: 'run', payload: { imageId: task.imageId, steps: task.steps } });
    }
  }

  private takeNext(): Task {
    let best = 0;
    for (let i = 1; i < this.queue.length; i++) {
      const a = this.queue[i];
      const b = this.queue[best];
      if (a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
    }
    return this.queue.splice(best, 1)[0];
  }

  private emitStatus(): void {
    const status = this.status();
    const key = `${status.queued}/${status.running}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.emit({ kind: 'status', status });
  }

  private emit(event: PoolEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
