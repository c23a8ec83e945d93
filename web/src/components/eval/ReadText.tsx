/**
 * What a run read on one image, beside the ground truth: one row per detection with text, in
 * reading order, with the ground-truth line the text metrics pair it with (IoU > 0.5: the pair the
 * CER compares). A row is "right" when the two texts are equal (white space folded, as the metrics
 * fold it), "wrong" when they differ, "unpaired" when no line was paired. Hovering or focusing a row
 * highlights its box on the image, and the reverse.
 */
import type { ItemDetail } from '../../api/lab';
import { textLines } from '../inference/logic';
import { readVerdict } from './logic';

interface Props {
  detections: ItemDetail['detections'];
  highlighted: number | null;
  onHighlight: (index: number | null) => void;
}

const VERDICT_LABEL = { right: 'read right', wrong: 'read wrong', unpaired: 'no ground-truth line paired' };

export function ReadText({ detections, highlighted, onHighlight }: Props) {
  const order = textLines(detections).flat();
  const wrong = order.filter((i) => readVerdict(detections[i]) === 'wrong').length;
  return (
    <section className="ev-read" aria-label="Text read">
      <h3>
        Text read: {order.length} of {detections.length} detections{wrong ? `, ${wrong} wrong` : ''}
      </h3>
      <table data-testid="read-text">
        <thead>
          <tr>
            <th>read</th>
            <th>ground truth</th>
          </tr>
        </thead>
        <tbody>
          {order.map((i) => {
            const d = detections[i];
            const verdict = readVerdict(d);
            return (
              <tr
                key={i}
                data-index={i}
                data-verdict={verdict}
                tabIndex={0}
                title={`${VERDICT_LABEL[verdict]}; confidence ${(d.textScore ?? 0).toFixed(3)}`}
                className={i === highlighted ? 'highlighted' : undefined}
                onMouseEnter={() => onHighlight(i)}
                onMouseLeave={() => onHighlight(null)}
                onFocus={() => onHighlight(i)}
                onBlur={() => onHighlight(null)}
              >
                <td data-testid="read">{d.text}</td>
                <td data-testid="truth">{d.gt_text ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
