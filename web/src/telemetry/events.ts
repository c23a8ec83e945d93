/**
 * Client telemetry events, shaped exactly as the server's models in
 * src/ocr_playground/telemetry.py (which forbid extra fields): snake_case, `ts` in ms since epoch.
 */

import type { RoutedBackend } from '../api/jobs';

interface Base {
  ts?: number;
  task_id?: string;
}

export interface WorkerEvent extends Base {
  type: 'worker';
  event: 'spawn' | 'ready' | 'busy' | 'idle' | 'terminate' | 'crash' | 'error' | 'downgrade';
  worker_id?: string | number;
  detail?: string;
}

export interface DurationEvent extends Base {
  type: 'duration';
  /** An op name, or "total" for a whole render. */
  op: string;
  ms: number;
  backend?: string;
}

export interface QueueDepthEvent extends Base {
  type: 'queue_depth';
  depth: number;
}

export interface CacheEvent extends Base {
  type: 'cache';
  hit: boolean;
  layer?: string;
}

export interface RoutingEvent extends Base {
  type: 'routing';
  routed_backend: RoutedBackend;
  reason?: string;
}

export type ClientEvent = WorkerEvent | DurationEvent | QueueDepthEvent | CacheEvent | RoutingEvent;

export interface EventBatch {
  session_id?: string;
  events: ClientEvent[];
}

/** The server takes at most this many events per batch. */
export const SERVER_MAX_BATCH = 1000;
