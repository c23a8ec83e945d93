/** A few handles on window.__ocrp for the E2E tests and for poking at the app from the console:
 *  drop the job socket as a network failure would, flush telemetry now, read its counters. */
import { jobSocket } from './api/jobSocket';
import { paintCount } from './lib/paints';
import { telemetry } from './telemetry';

declare global {
  interface Window {
    __ocrp?: {
      dropJobSocket(offlineMs?: number): void;
      jobSocketReconnects(): number;
      flushTelemetry(): Promise<void>;
      telemetryCounts(): { sent: number; pending: number; dropped: number };
      /** Results painted by the Studio so far. */
      paints(): number;
    };
  }
}

window.__ocrp = {
  dropJobSocket: (offlineMs = 0) => jobSocket().drop(offlineMs),
  jobSocketReconnects: () => jobSocket().reconnects,
  flushTelemetry: async () => {
    const t = telemetry();
    while (t.pending > 0) {
      const before = t.pending;
      await t.flush();
      if (t.pending >= before) break; // the server refused: do not spin
    }
  },
  telemetryCounts: () => ({ sent: telemetry().sent, pending: telemetry().pending, dropped: telemetry().dropped }),
  paints: paintCount,
};
