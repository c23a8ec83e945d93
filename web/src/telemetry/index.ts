/** The page's one telemetry batcher, sending to POST /api/metrics, and the page-hide hook. */
import { TelemetryBatcher, type Sender } from './batcher';
import type { ClientEvent } from './events';

export type { ClientEvent } from './events';

const URL_METRICS = '/api/metrics';

// Not async: a beacon the browser refuses must come back as a plain `false`, which flushOnHide counts
// as dropped (a Promise would always look accepted).
const send: Sender = (batch, transport) => {
  const body = JSON.stringify(batch);
  if (transport === 'beacon' && typeof navigator.sendBeacon === 'function') {
    return navigator.sendBeacon(URL_METRICS, new Blob([body], { type: 'application/json' }));
  }
  return fetch(URL_METRICS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
    keepalive: body.length < 60_000, // keepalive bodies are capped at 64 KiB
  }).then((response) => response.ok || response.status === 422); // a refused batch is not retried forever
};

let batcher: TelemetryBatcher | null = null;

function sessionId(): string {
  return `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function telemetry(): TelemetryBatcher {
  if (batcher) return batcher;
  const b = new TelemetryBatcher({ send, sessionId: sessionId() });
  batcher = b;
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') b.flushOnHide();
    });
    window.addEventListener('pagehide', () => b.flushOnHide());
  }
  return b;
}

export function track(event: ClientEvent): void {
  telemetry().record(event);
}
