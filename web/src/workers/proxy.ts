/**
 * Previews of large images on a proxy: a copy scaled by a whole factor (1/2, 1/3, ...) so its long
 * side is within the client limit, made once when the image is opened. The ops run on the proxy
 * with their pixel-sized params scaled to match, so the preview looks like the full-resolution
 * result at a smaller size; the full-resolution result itself comes from the server.
 *
 * What a proxy preview does not reproduce: detail finer than a proxy pixel (thin strokes, JPEG
 * noise), and the exact pixels of thresholds taken on it (binarize, the page mask, the page
 * corners are found on fewer pixels). docs/hybrid.md has the list.
 */
import { CLIENT_MAX_SIDE, opDefaults } from '../contract';
import type { BinarizeParams } from './kernels/binarize';
import { effectiveSigma, type BlurParams } from './kernels/blur';
import type { ResizeParams } from './kernels/resize';
import { isOn, opSetting, type OpParams, type PipelineParams } from './pipeline';

/** The long side the browser's workers take (the contract's `client_limits.max_side`). */
export { CLIENT_MAX_SIDE };

/** The smallest whole factor that brings the long side within `maxSide` (1: no proxy needed). */
export function proxyFactor(width: number, height: number, maxSide: number = CLIENT_MAX_SIDE): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
}

/** The resize that makes the proxy: the long side divided by the factor, as the resize op does it
 *  (area averaging), so the server can make the very same proxy. */
export function proxyMaxSide(width: number, height: number, factor: number): number {
  return Math.round(Math.max(width, height) / factor);
}

export interface ProxyPlan {
  /** The params to run on the image the workers hold. */
  params: PipelineParams;
  /** The preview's size against the full-resolution result's (1: the same size). */
  scale: number;
}

const odd = (x: number, min = 3) => Math.max(min, 2 * Math.round((x - 1) / 2) + 1);
/** An op's values: its defaults, overlaid with its setting when that is an object. */
const values = <T extends object>(op: string, setting: unknown): T =>
  ({ ...(opDefaults(op) as T), ...(typeof setting === 'object' && setting !== null ? (setting as OpParams) : {}) }) as T;

/**
 * Params for an image held at 1/`factor` of its size, and the preview's scale.
 *
 * Before `resize` the picture is at 1/factor. `resize` sets the long side itself: it runs as asked
 * when that is within `maxSide` (the preview then has the full result's size), else it is capped
 * there. After it, pixel sizes scale with the picture: the blur kernel and its sigma, the adaptive
 * binarize block (each kept odd and ≥ 3). Nothing else is measured in pixels.
 */
export function proxyParams(params: PipelineParams, factor: number, maxSide: number = CLIENT_MAX_SIDE): ProxyPlan {
  let scale = 1 / factor;
  const out: PipelineParams = { ...params };
  if (isOn(params, 'resize')) {
    const resize = values<ResizeParams>('resize', opSetting(params, 'resize'));
    const capped = Math.min(resize.maxSide, maxSide);
    scale = capped / resize.maxSide;
    if (capped !== resize.maxSide) out.resize = { ...resize, maxSide: capped };
  }
  if (scale === 1) return { params, scale };
  if (isOn(params, 'blur')) {
    const blur = values<BlurParams>('blur', opSetting(params, 'blur'));
    out.blur = { ...blur, kernelSize: odd(blur.kernelSize * scale), sigma: effectiveSigma(blur.kernelSize, blur.sigma) * scale };
  }
  if (isOn(params, 'binarize')) {
    const binarize = values<BinarizeParams>('binarize', opSetting(params, 'binarize'));
    if (binarize.method === 'adaptive') out.binarize = { ...binarize, blockSize: odd(binarize.blockSize * scale) };
  }
  return { params: out, scale };
}

/** A scale as the Studio labels it: "1/2" for a whole fraction, else a percentage. */
export function scaleLabel(scale: number): string {
  const n = 1 / scale;
  return Math.abs(n - Math.round(n)) < 0.01 ? `1/${Math.round(n)}` : `${Math.round(scale * 100)}%`;
}
