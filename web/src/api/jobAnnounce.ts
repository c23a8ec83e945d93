/** Tells other tabs of this app that a server job was just started here, so an open Jobs page
 *  follows it at once instead of finding it on its next poll of the job list. */
const CHANNEL = 'ocrp-jobs';

let channel: BroadcastChannel | null = null;

function open(): BroadcastChannel | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  channel ??= new BroadcastChannel(CHANNEL);
  return channel;
}

export function announceJob(jobId: string): void {
  open()?.postMessage({ job_id: jobId });
}

export function onAnnouncedJob(listener: (jobId: string) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  // A channel of its own: a BroadcastChannel never receives its own messages, and the page may
  // both announce (a Studio in this tab) and listen.
  const own = new BroadcastChannel(CHANNEL);
  own.onmessage = (event: MessageEvent<{ job_id?: unknown }>) => {
    if (typeof event.data?.job_id === 'string') listener(event.data.job_id);
  };
  return () => own.close();
}
