/**
 * Charts of GET /api/metrics/summary, refreshed every few seconds: queue depth over time,
 * durations by op, memo hit rate and the share of renders that went to the server.
 */
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fetchSummary, type MetricsSummary } from '../api/metrics';
import { durationBars, minuteSeries } from '../components/telemetry/series';
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
const H = 260;
// Room for the axis labels, so none is clipped: op names are long and set at an angle.
const MARGIN = { top: 8, right: 16, bottom: 8, left: 0 };

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

  const depth = summary ? minuteSeries(summary.queue_depth, hours, (updated?.getTime() ?? Date.now()) / 1000) : [];
  // Log scale: a server round trip (seconds) and a grayscale pass (milliseconds) share the chart.
  const durations = durationBars(summary?.durations ?? {});
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
            <ResponsiveContainer width="100%" height={H}>
              <LineChart data={depth} margin={MARGIN}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="minute" tickFormatter={clock} minTickGap={24} />
                <YAxis allowDecimals={false} width={36} />
                <Tooltip labelFormatter={(m) => clock(Number(m))} />
                <Legend />
                {/* Dots: a minute with samples between two without is a point, not a line. */}
                <Line type="monotone" dataKey="mean" stroke="#3f7de0" dot={{ r: 2 }} isAnimationActive={false} />
                <Line type="monotone" dataKey="max" stroke="#c0539a" dot={{ r: 2 }} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </section>
          <section className="tele-card" aria-label="Durations by op" data-testid="chart-durations">
            <h2>Durations by op (ms, log scale; “total” is a whole render, browser or server)</h2>
            <ResponsiveContainer width="100%" height={H + 60}>
              <BarChart data={durations} margin={MARGIN}>
                <CartesianGrid strokeDasharray="3 3" />
                {/* Every op gets its label (interval 0), at an angle so long names fit. */}
                <XAxis dataKey="op" interval={0} angle={-30} textAnchor="end" height={80} tick={{ fontSize: 12 }} />
                <YAxis scale="log" domain={[0.1, 'auto']} allowDataOverflow width={48} />
                <Tooltip />
                <Legend verticalAlign="top" />
                <Bar dataKey="p50" fill="#3f7de0" isAnimationActive={false} />
                <Bar dataKey="p95" fill="#8e5bd6" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </section>
          <section className="tele-card" aria-label="Memo hit rate" data-testid="chart-memo">
            <h2>Memo hit rate: <span className="tele-figure" data-testid="memo-hit-rate">{pct(summary.memo_hit_rate)}</span></h2>
            <ResponsiveContainer width="100%" height={H}>
              <PieChart>
                <Pie data={memo} dataKey="value" nameKey="name" innerRadius={50} outerRadius={85} isAnimationActive={false}>
                  {memo.map((m) => <Cell key={m.name} fill={m.name === 'hit' ? '#2f9e6e' : '#c9d0d8'} />)}
                </Pie>
                <Tooltip formatter={(v) => pct(Number(v))} />
                <Legend />
              </PieChart>
            </ResponsiveContainer>
          </section>
          <section className="tele-card" aria-label="Fallback rate" data-testid="chart-routing">
            <h2>Sent to the server: <span className="tele-figure" data-testid="fallback-rate">{pct(summary.fallback_rate)}</span></h2>
            <ResponsiveContainer width="100%" height={H}>
              {/* The slice labels sit outside the pie: a smaller radius leaves them room. */}
              <PieChart margin={{ top: 16, right: 24, bottom: 0, left: 24 }}>
                <Pie data={routing} dataKey="value" nameKey="name" outerRadius={70} isAnimationActive={false} label>
                  {routing.map((r) => <Cell key={r.name} fill={COLORS[r.name] ?? '#888'} />)}
                </Pie>
                <Tooltip />
                <Legend />
              </PieChart>
            </ResponsiveContainer>
          </section>
        </div>
      )}
    </main>
  );
}
