/**
 * Server jobs, live: the newest from GET /api/pipelines/jobs (older pages on request), then every
 * change from the job WebSocket. Each row shows the source image, what the params do, when it
 * started, status, progress, duration and taskId, the result image when there is one (an
 * inference job's detections too), a link to the artifact, and Cancel while the job can still be
 * stopped.
 */
import { useEffect, useState } from 'react';
import { onAnnouncedJob } from '../api/jobAnnounce';
import { jobSocket, type ConnectionState } from '../api/jobSocket';
import { cancelJob, fetchJob, isFinished, listJobs, resultUrl, sourceUrl, type Job, type JobUpdate } from '../api/jobs';
import { paramsSummary, startedText } from '../components/jobs/summary';

const DISCOVER_EVERY_MS = 3000; // new jobs (from this tab or another) are found by polling the list
const LIMIT = 50;

function duration(job: Job, now: number): string {
  if (job.started_at === null) return '—';
  const end = job.finished_at ?? now / 1000;
  return `${(end - job.started_at).toFixed(2)} s`;
}

function merge(job: Job | undefined, u: JobUpdate): Job | undefined {
  if (!job) return undefined;
  return { ...job, status: u.status, progress: u.progress, result_path: u.result_path, error: u.error, task_id: u.task_id };
}

export function Jobs() {
  const [jobs, setJobs] = useState<Record<string, Job>>({});
  const [error, setError] = useState<string | null>(null);
  const [connection, setConnection] = useState<ConnectionState>('closed');
  const [now, setNow] = useState(() => Date.now());
  // Older pages: how many of the newest jobs are covered, and whether the last page was full.
  const [loaded, setLoaded] = useState(LIMIT);
  const [more, setMore] = useState(false);

  useEffect(() => {
    const socket = jobSocket();
    const followed = new Map<string, () => void>();
    let live = true;

    const follow = (id: string) => {
      if (!followed.has(id)) followed.set(id, socket.follow(id, () => {}));
    };
    // Full records (timestamps, attempts) after a state change: the WS message carries only the state.
    const refresh = (id: string) =>
      fetchJob(id)
        .then((job) => live && setJobs((all) => ({ ...all, [id]: job })))
        .catch(() => undefined);

    const known = new Map<string, string>(); // last status seen per job
    const offUpdate = socket.onUpdate((u) => {
      if (known.get(u.job_id) !== u.status) void refresh(u.job_id); // a new job, or a new state
      known.set(u.job_id, u.status);
      setJobs((all) => {
        const next = merge(all[u.job_id], u);
        return next ? { ...all, [u.job_id]: next } : all;
      });
    });
    const offState = socket.onState(setConnection);

    const discover = () =>
      listJobs(LIMIT)
        .then((list) => {
          if (!live) return;
          setError(null);
          setJobs((all) => {
            const next = { ...all };
            // The list is a snapshot; a newer WS state of a job already shown wins over it.
            for (const job of list) if (!next[job.job_id] || isFinished(job.status)) next[job.job_id] = job;
            return next;
          });
          for (const job of list) {
            known.set(job.job_id, job.status);
            follow(job.job_id);
          }
          setMore((m) => m || list.length === LIMIT);
        })
        .catch((e: Error) => live && setError(`Could not list the jobs: ${e.message}`));
    // A Studio in another tab started a job: show and follow it now, not on the next poll.
    const offAnnounced = onAnnouncedJob((id) => {
      void refresh(id);
      follow(id);
    });
    void discover();
    const poll = setInterval(discover, DISCOVER_EVERY_MS);
    const tick = setInterval(() => setNow(Date.now()), 500);
    return () => {
      live = false;
      clearInterval(poll);
      clearInterval(tick);
      offUpdate();
      offState();
      offAnnounced();
      for (const stop of followed.values()) stop();
    };
  }, []);

  const cancel = (id: string) =>
    cancelJob(id)
      .then((job) => setJobs((all) => ({ ...all, [id]: job })))
      .catch((e: Error) => setError(`Could not cancel ${id}: ${e.message}`));

  const older = () =>
    listJobs(LIMIT, loaded)
      .then((list) => {
        setJobs((all) => ({ ...all, ...Object.fromEntries(list.filter((j) => !all[j.job_id]).map((j) => [j.job_id, j])) }));
        setLoaded((n) => n + list.length);
        setMore(list.length === LIMIT);
      })
      .catch((e: Error) => setError(`Could not list older jobs: ${e.message}`));

  const rows = Object.values(jobs).sort((a, b) => b.created_at - a.created_at);
  return (
    <main className="page jobs">
      <h1>Server jobs</h1>
      <p className="muted">
        Live over the job WebSocket: <span data-testid="ws-state" data-state={connection}>{connection}</span>
        {' · '}jobs made by the Studio when a render runs on the server, or by the API.
      </p>
      {error && <p role="alert" className="error">{error}</p>}
      {rows.length === 0 ? (
        <p>No server jobs yet. Open a large image in the Studio, or switch on “Run on server”.</p>
      ) : (
        <table className="jobs-table" aria-label="Server jobs">
          <thead>
            <tr>
              <th>source</th><th>job</th><th>params</th><th>started</th><th>status</th><th>progress</th><th>duration</th><th>task id</th><th>result</th><th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((job) => (
              <tr key={job.job_id} data-job-id={job.job_id} data-status={job.status} data-task-id={job.task_id ?? ''} data-pipeline={job.pipeline_id}>
                <td className="source">
                  <img className="thumb" loading="lazy" src={sourceUrl(job.job_id)} alt={`source of ${job.job_id}`} />
                  <br /><small>{job.source_name ?? ''}</small>
                </td>
                <td><code>{job.job_id}</code><br /><small>{job.cache_key}</small></td>
                <td className="params" title={JSON.stringify(job.params ?? null)} data-testid="job-params">
                  {paramsSummary(job.params)}
                  {job.checkpoint_path && <><br /><small>checkpoint <code>{job.checkpoint_path}</code></small></>}
                </td>
                <td data-testid="job-started">{startedText(job.started_at)}</td>
                <td className={`status status-${job.status}`}>{job.status}{job.error && <><br /><small>{job.error}</small></>}</td>
                <td>
                  <progress max={1} value={job.progress} aria-label={`progress of ${job.job_id}`} /> {(job.progress * 100).toFixed(0)}%
                </td>
                <td>{duration(job, now)}</td>
                <td><code>{job.task_id ?? '—'}</code></td>
                <td>
                  {job.status === 'completed' && job.result_path ? (
                    <a href={resultUrl(job.job_id)} target="_blank" rel="noreferrer" title={job.result_path}>
                      <img className="thumb" src={resultUrl(job.job_id)} alt={`result of ${job.job_id}`} />
                      <br /><small>{job.result_path}</small>
                    </a>
                  ) : '—'}
                  {job.status === 'completed' && job.pipeline_id === 'inference' && (
                    <><br /><a href={`/api/inference/jobs/${encodeURIComponent(job.job_id)}/detections`} target="_blank" rel="noreferrer">detections JSON</a></>
                  )}
                </td>
                <td>
                  {!isFinished(job.status) && (
                    <button type="button" onClick={() => void cancel(job.job_id)} aria-label={`cancel ${job.job_id}`}>Cancel</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && (
        <p>
          <button type="button" onClick={() => void older()}>Older jobs</button>{' '}
          <small className="muted">(the newest {loaded} are listed)</small>
        </p>
      )}
    </main>
  );
}
