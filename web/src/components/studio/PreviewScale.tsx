import type { Rendered } from '../../routing/hybrid';
import { scaleLabel } from '../../workers/proxy';

interface Props {
  /** The picture's full size and the factor of the copy the workers hold. */
  width: number;
  height: number;
  factor: number;
  preview: Rendered | null;
}

/** Says plainly when the picture on screen is a preview made on a smaller copy, and where the
 *  full-resolution result comes from. Nothing when the picture is the full result. */
export function PreviewScale({ width, height, factor, preview }: Props) {
  const scale = preview?.scale ?? 1 / factor;
  const from = preview?.factor ?? factor;
  if (scale >= 1 && from <= 1) return null;
  const copy = `${Math.round(width / from)}×${Math.round(height / from)}`;
  const text =
    scale < 1
      ? `Preview at ${scaleLabel(scale)} scale, made in the browser from a ${copy} copy of this ${width}×${height} image.`
      : `Preview made in the browser from a ${copy} copy of this ${width}×${height} image; resize gives it the full result's size, with slightly different pixels.`;
  return (
    <p className="proxy-label" role="note" data-testid="proxy-label" data-scale={scale} data-factor={from}>
      <strong>{text}</strong> Download PNG and “Run on server” give the full-resolution result.
    </p>
  );
}
