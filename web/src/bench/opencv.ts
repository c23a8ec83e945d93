/** OpenCV.js as the peer: the same ops on the same RGBA pixels, in this page. Typed loosely on
 *  purpose: opencv.js ships no types we want in the app build. */
import type { RgbaImage } from '../workers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cv = any;

export type OpenCvCase = 'grayscale' | 'autocontrast' | 'blur5' | 'blur15' | 'otsu' | 'adaptive' | 'resize' | 'chain' | 'chainFull';

/** Resolves to `{ cv }`, never to the module itself: the module is a thenable that resolves to
 *  itself, so an async function returning it would spin the microtask queue forever. */
export async function loadOpenCv(url: string, log: (msg: string) => void = () => {}): Promise<{ cv: Cv }> {
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load OpenCV.js from ${url}`));
    document.head.appendChild(script);
  });
  log('OpenCV.js script loaded');
  // Its onRuntimeInitialized may already have fired, and awaiting the thenable never ends:
  // poll for the API instead.
  const started = performance.now();
  for (;;) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cv: Cv = (window as any).cv;
    if (cv && typeof cv.Mat === 'function') return { cv };
    if (performance.now() - started > 60_000) throw new Error('OpenCV.js did not initialise within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function openCvCases(cv: Cv, image: RgbaImage): Record<OpenCvCase, () => void> & { dispose(): void } {
  const src = new cv.Mat(image.height, image.width, cv.CV_8UC4);
  src.data.set(image.data);
  const gray = new cv.Mat();
  const tmp = new cv.Mat();
  const dst = new cv.Mat();
  const small = new cv.Mat();
  const channels = new cv.MatVector();

  const toGray = (from: Cv) => cv.cvtColor(from, gray, cv.COLOR_RGBA2GRAY);
  // Autocontrast's nearest OpenCV form: a min-max stretch of each colour channel.
  const stretch = (from: Cv, to: Cv) => {
    cv.split(from, channels);
    for (let c = 0; c < 3; c++) {
      const ch = channels.get(c);
      const { minVal, maxVal } = cv.minMaxLoc(ch);
      const scale = maxVal > minVal ? 255 / (maxVal - minVal) : 1;
      ch.convertTo(ch, cv.CV_8U, scale, -minVal * scale);
      channels.set(c, ch);
      ch.delete();
    }
    cv.merge(channels, to);
  };
  const blur = (from: Cv, to: Cv, k: number) => cv.GaussianBlur(from, to, new cv.Size(k, k), 0, 0, cv.BORDER_REFLECT_101);
  const otsu = (from: Cv, to: Cv) => {
    toGray(from);
    cv.threshold(gray, tmp, 0, 255, cv.THRESH_BINARY + cv.THRESH_OTSU);
    cv.cvtColor(tmp, to, cv.COLOR_GRAY2RGBA);
  };
  const chain = (from: Cv) => {
    toGray(from);
    cv.cvtColor(gray, dst, cv.COLOR_GRAY2RGBA);
    stretch(dst, tmp);
    blur(tmp, dst, 5);
    otsu(dst, tmp);
  };
  const scaled = () => {
    const long = Math.max(image.width, image.height);
    const f = 1024 / long;
    return new cv.Size(Math.round(image.width * f), Math.round(image.height * f));
  };
  return {
    grayscale: () => {
      toGray(src);
      cv.cvtColor(gray, dst, cv.COLOR_GRAY2RGBA);
    },
    autocontrast: () => stretch(src, dst),
    blur5: () => blur(src, dst, 5),
    blur15: () => blur(src, dst, 15),
    otsu: () => otsu(src, dst),
    adaptive: () => {
      toGray(src);
      cv.adaptiveThreshold(gray, tmp, 255, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY, 31, 10);
      cv.cvtColor(tmp, dst, cv.COLOR_GRAY2RGBA);
    },
    resize: () => cv.resize(src, dst, scaled(), 0, 0, cv.INTER_AREA),
    chain: () => {
      cv.resize(src, small, scaled(), 0, 0, cv.INTER_AREA);
      chain(small);
    },
    chainFull: () => chain(src),
    dispose: () => [src, gray, tmp, dst, small, channels].forEach((m) => m.delete()),
  };
}
