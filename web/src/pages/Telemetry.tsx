/**
 * Charts of GET /api/metrics/summary, refreshed every few seconds: queue depth over time,
 * durations by op, memo hit rate and the share of renders that went to the server.
 */
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, Tooltip, XAxis, YAxis } from 'recharts';
import { fetchSummary, type MetricsSummary } from '../api/metrics';
import { telemetry } from '../telemetry';

const REFRESH_MS = 3000;
const WINDOWS = [1, 6, 24];
const COLORS: Record<string, string> = {
  'client-workers': '#3f7de0',
  'server-pipeline': '#8e5bd6',
  'server-rembg': '#c0539a',
  'server-cache': '#2f9e6e',
  'server-inference': '#d08a2c',
};
const W = 500;
const H = 230;

const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const clock = (minute: number) => new Date(minute * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function Telemetry() {
  const [hours, setHours] = useState(1);
  const [summary, setSummary] = useState<MetricsSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);

  useEffect(() => {
    let live = true;
    const load = () => {
      void telemetry().flush(); // this tab's own events count too
      fetchSummary(hours)
        .then((s) => {
          if (!live) return;
          setSummary(s);
          setUpdated(new Date());
          setError(null);
        })
        .catch((e: Error) => live && setError(e.message));
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [hours]);

  const depth = (summary?.queue_depth ?? []).map((d) => ({ time: clock(d.minute), mean: Number(d.mean.toFixed(2)), max: d.max }));
  // Log scale: a server round trip (seconds) and a grayscale pass (milliseconds) share the chart.
  const floor = (ms: number) => Math.max(0.1, Number(ms.toFixed(1)));
  const durations = Object.entries(summary?.durations ?? {}).map(([op, d]) => ({ op, p50: floor(d.p50_ms), p95: floor(d.p95_ms) }));
  const routing = Object.entries(summary?.routing ?? {}).map(([name, value]) => ({ name, value }));
  const hits = summary?.memo_hit_rate;
  const memo = hits === null || hits === undefined ? [] : [{ name: 'hit', value: hits }, { name: 'miss', value: 1 - hits }];

  return (
    <main className="page telemetry">
      <h1>Telemetry</h1>
      <p className="muted">
        Client events summarised by the server over the last{' '}
        <select aria-label="time window" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
          {WINDOWS.map((h) => <option key={h} value={h}>{h} h</option>)}
        </select>
        {' · '}refreshed every {REFRESH_MS / 1000} s{updated && <> (last {updated.toLocaleTimeString()})</>}
        {summary && <> · <span data-testid="event-count">{summary.events}</span> events</>}
      </p>
      {error && <p role="alert" className="error">Could not load the summary: {error}</p>}
      {summary && (
        <div className="tele-grid">
          <section className="tele-card" aria-label="Queue depth over time" data-testid="chart-queue-depth">
            <h2>Worker queue depth (per minute)</h2>
            <LineChart width={W} height={H} data={depth}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="time" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Line type="monotone" dataKey="mean" stroke="#3f7de0" isAnimationActive={false} />
              <Line type="monotone" dataKey="max" stroke="#c0539a" isAnimationActive={false} />
            </LineChart>
          </section>
          <section className="tele-card" aria-label="Durations by op" data-testid="chart-durations">
            <h2>Durations by op (ms, log scale; “total” is a whole render, browser or server)</h2>
            <BarChart width={W} height={H} data={durations}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="op" />
              <YAxis scale="log" domain={[0.1, 'auto']} allowDataOverflow />
              <Tooltip />
              <Legend />
              <Bar dataKey="p50" fill="#3f7de0" isAnimationActive={false} />
              <Bar dataKey="p95" fill="#8e5bd6" isAnimationActive={false} />
            </BarChart>
          </section>
          <section className="tele-card" aria-label="Memo hit rate" data-testid="chart-memo">
            <h2>Memo hit rate: <span className="tele-figure" data-testid="memo-hit-rate">{pct(summary.memo_hit_rate)}</span></h2>
            <PieChart width={W} height={H}>
              <Pie data={memo} dataKey="value" nameKey="name" innerRadius={50} outerRadius={90} isAnimationActive={false}>
                {memo.map((m) => <Cell key={m.name} fill={m.name === 'hit' ? '#2f9e6e' : '#c9d0d8'} />)}
              </Pie>
              <Tooltip formatter={(v) => pct(Number(v))} />
              <Legend />
            </PieChart>
          </section>
          <section className="tele-card" aria-label="Fallback rate" data-testid="chart-routing">
            <h2>Sent to the server: <span className="tele-figure" data-testid="fallback-rate">{pct(summary.fallback_rate)}</span></h2>
            <PieChart width={W} height={H}>
              <Pie data={routing} dataKey="value" nameKey="name" outerRadius={90} isAnimationActive={false} label>
                {routing.map((r) => <Cell key={r.name} fill={COLORS[r.name] ?? '#888'} />)}
              </Pie>
              <Tooltip />
              <Legend />
            </PieChart>
          </section>
        </div>
      )}
    </main>
  );
}
