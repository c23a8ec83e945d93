/**
 * The Evaluation Lab (#/lab). The hash's query is the page's state, so every view is a link:
 * `?run=ID` a run's evaluation (`&image=NAME` its image viewer), `?a=ID&b=ID` a comparison
 * (`&metric=word_f1` on text, `&image=NAME` side by side), nothing: the runs to pick from and the demo.
 */
import { PROTOCOLS, type CompareMetric, type Protocol } from '../api/lab';
import { CompareView } from '../components/eval/CompareView';
import { LabHome } from '../components/eval/LabHome';
import { isCompareMetric } from '../components/eval/logic';
import { RunEvaluation } from '../components/eval/RunEvaluation';
import { useHashQuery } from '../router';

export function Lab() {
  const query = new URLSearchParams(useHashQuery());
  const requested = query.get('protocol') as Protocol | null;
  const protocol: Protocol = requested && PROTOCOLS.includes(requested) ? requested : 'icdar2015-iou';
  const [run, a, b, image, asked] = ['run', 'a', 'b', 'image', 'metric'].map((k) => query.get(k));
  const metric: CompareMetric = isCompareMetric(asked) ? asked : 'hmean';
  if (a && b) return <CompareView a={a} b={b} protocol={protocol} metric={metric} image={image} />;
  if (run) return <RunEvaluation key={run} runId={run} protocol={protocol} image={image} />;
  return <LabHome />;
}
