/**
 * The benchmark page bench/web.py drives in headless Chromium: the Studio's own processor (pool,
 * workers, memo) on a large photo, op by op, next to OpenCV.js doing the same op in this page.
 * Our figures are the kernels' time measured inside the worker; the round trip (hashing, posting,
 * transfer back) is reported beside it. OpenCV.js is loaded from a URL the driver serves.
 */
import { decodeImage } from '../lib/decode';
import { createImageProcessor, decodePhoto, type DecodedPhoto, type OpenedImage, type PipelineParams } from '../workers';
import { findPage, findPageSimd } from '../workers/kernels/page/finder';
import { CLIENT_MAX_SIDE, proxyParams } from '../workers/proxy';
import { simd } from '../workers/simd';
import { openCvCases, loadOpenCv, type OpenCvCase } from './opencv';

export interface BenchCase {
  name: string;
  params: PipelineParams;
  peer?: OpenCvCase;
}

export interface BenchRow {
  name: string;
  workerMs: number;
  roundTripMs: number;
  opencvMs: number | null;
  perOp: Record<string, number>;
}

export interface BenchReport {
  width: number;
  height: number;
  poolSize: number;
  gapMs: number;
  userAgent: string;
  rows: BenchRow[];
  memoHitMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const CASES: BenchCase[] = [
  { name: 'grayscale', params: { grayscale: {} }, peer: 'grayscale' },
  { name: 'autocontrast', params: { autocontrast: { cutoff: 0 } }, peer: 'autocontrast' },
  { name: 'autocontrast cutoff=1', params: { autocontrast: { cutoff: 1 } } },
  { name: 'blur k=5', params: { blur: { kernelSize: 5, sigma: 0 } }, peer: 'blur5' },
  { name: 'blur k=15', params: { blur: { kernelSize: 15, sigma: 0 } }, peer: 'blur15' },
  { name: 'binarize otsu', params: { binarize: { method: 'otsu', blockSize: 31, C: 10 } }, peer: 'otsu' },
  { name: 'binarize adaptive 31', params: { binarize: { method: 'adaptive', blockSize: 31, C: 10 } }, peer: 'adaptive' },
  { name: 'resize 1024', params: { resize: { maxSide: 1024 } }, peer: 'resize' },
  { name: 'background_removal', params: { background_removal: { strength: 1 } } },
  { name: 'crop_document', params: { crop_document: {} } },
  {
    name: 'chain: resize, grayscale, autocontrast, blur, binarize',
    params: {
      resize: { maxSide: 1024 },
      grayscale: {},
      autocontrast: { cutoff: 0 },
      blur: { kernelSize: 5, sigma: 0 },
      binarize: { method: 'otsu', blockSize: 31, C: 10 },
    },
    peer: 'chain',
  },
  {
    name: 'chain with crop: resize, crop_document, grayscale, autocontrast, blur, binarize',
    params: {
      resize: { maxSide: 1024 },
      crop_document: {},
      grayscale: {},
      autocontrast: { cutoff: 0 },
      blur: { kernelSize: 5, sigma: 0 },
      binarize: { method: 'otsu', blockSize: 31, C: 10 },
    },
  },
  {
    name: 'chain at full size (no resize)',
    params: { grayscale: {}, autocontrast: { cutoff: 0 }, blur: { kernelSize: 5, sigma: 0 }, binarize: { method: 'otsu', blockSize: 31, C: 10 } },
    peer: 'chainFull',
  },
];

async function runBench(
  options: { runs?: number; warmup?: number; imageUrl?: string; opencvUrl?: string; only?: string; gapMs?: number } = {},
): Promise<BenchReport> {
  const runs = options.runs ?? 7;
  const warmup = options.warmup ?? 3;
  // Pause between requests, as a user's slider does (the Studio debounces by 75 ms): the worker
  // uses idle time to prepare the next output buffer. 0 sends them back to back.
  const gapMs = options.gapMs ?? 50;
  const log = (msg: string) => console.log(`[bench] ${msg}`);
  const blob = await (await fetch(options.imageUrl ?? 'photo.png')).blob();
  log('image fetched');
  const [bytes, image] = await Promise.all([blob.arrayBuffer(), decodeImage(blob)]);
  // OpenCV.js first: compiling its 8 MB of WebAssembly is slow and best not raced.
  const { cv } = await loadOpenCv(options.opencvUrl ?? 'opencv.js', log);
  log('OpenCV.js ready');
  const processor = createImageProcessor({ poolSize: 1 });
  const opened = await processor.open(bytes, image);
  log('image opened in the workers');
  const peers = openCvCases(cv, image);
  const rows: BenchRow[] = [];
  try {
    for (const c of CASES.filter((x) => !options.only || x.name.startsWith(options.only))) {
      const worker: number[] = [];
      const trip: number[] = [];
      const perOp: Record<string, number[]> = {};
      for (let i = 0; i < warmup + runs; i++) {
        if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
        const r = await processor.preview(opened, c.params, { memo: false, channel: 'bench' });
        if (i < warmup) continue;
        worker.push(r.timings.reduce((a, t) => a + t.ms, 0));
        trip.push(r.totalMs);
        for (const t of r.timings) (perOp[t.op] ??= []).push(t.ms);
      }
      let opencvMs: number | null = null;
      if (c.peer) {
        const times: number[] = [];
        for (let i = 0; i < warmup + runs; i++) {
          const t0 = performance.now();
          peers[c.peer]();
          if (i >= warmup) times.push(performance.now() - t0);
        }
        opencvMs = median(times);
      }
      log(`${c.name}: worker ${median(worker).toFixed(1)} ms, OpenCV.js ${opencvMs?.toFixed(1) ?? '-'} ms`);
      rows.push({
        name: c.name,
        workerMs: median(worker),
        roundTripMs: median(trip),
        opencvMs,
        perOp: Object.fromEntries(Object.entries(perOp).map(([op, xs]) => [op, median(xs)])),
      });
    }
    // Memo: the same params twice; the second answer comes from the LRU without a worker.
    const memoParams = CASES[3].params;
    await processor.preview(opened, memoParams);
    const hits: number[] = [];
    for (let i = 0; i < runs; i++) hits.push((await processor.preview(opened, memoParams)).totalMs);
    return {
      width: image.width,
      height: image.height,
      poolSize: processor.poolSize,
      gapMs,
      userAgent: navigator.userAgent,
      rows,
      memoHitMs: median(hits),
    };
  } finally {
    peers.dispose();
    processor.dispose();
  }
}

/** The page finder alone on each image (bench/real.py): its SIMD form, as the workers run it,
 *  here on the page's thread (the same engine). Median and best ms of `runs` after `warmup`, and the quad. */
async function timePageFinder(urls: string[], runs = 5, warmup = 2): Promise<{ url: string; ms: number; bestMs: number; quad: [number, number][] | null }[]> {
  const out = [];
  for (const url of urls) {
    const image = await decodeImage(await (await fetch(url)).blob());
    const wasm = simd();
    const find = () => (wasm ? wasm.open(image).read((segment, frame) => findPageSimd(segment, frame)) : findPage(image));
    const times: number[] = [];
    let quad = null;
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      quad = find().quad;
      if (i >= warmup) times.push(performance.now() - t0);
    }
    out.push({ url, ms: median(times), bestMs: Math.min(...times), quad });
  }
  return out;
}

export interface ProxyReport {
  width: number;
  height: number;
  factor: number;
  proxyWidth: number;
  proxyHeight: number;
  /** Decode and proxy in the decode worker, then the pool's open (hashing, parking the proxy). */
  openMs: number;
  rows: { name: string; workerMs: number; roundTripMs: number }[];
}

/**
 * A phone photo as the Studio holds it: decoded and scaled to its proxy in the decode worker, then
 * each op previewed on the proxy with its params scaled (workers/proxy.ts), timed like runBench.
 */
async function runProxyBench(options: { imageUrl?: string; runs?: number; warmup?: number; gapMs?: number } = {}): Promise<ProxyReport> {
  const runs = options.runs ?? 7;
  const warmup = options.warmup ?? 3;
  const gapMs = options.gapMs ?? 50;
  const blob = await (await fetch(options.imageUrl ?? 'phone.jpg')).blob();
  const processor = createImageProcessor({ poolSize: 1 });
  try {
    const opens: number[] = [];
    let opened: OpenedImage | null = null;
    let photo: DecodedPhoto | null = null;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const [bytes, p] = await Promise.all([blob.arrayBuffer(), decodePhoto(blob, { maxSide: CLIENT_MAX_SIDE })]);
      opened = await processor.open(bytes, p.image, { factor: p.factor });
      opens.push(performance.now() - t0);
      photo = p;
    }
    const rows: ProxyReport['rows'] = [];
    for (const c of CASES.filter((x) => !x.name.startsWith('chain at full size'))) {
      const { params } = proxyParams(c.params, opened!.factor);
      const worker: number[] = [];
      const trip: number[] = [];
      for (let i = 0; i < warmup + runs; i++) {
        if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
        const r = await processor.preview(opened!, params, { memo: false, channel: 'bench' });
        if (i < warmup) continue;
        worker.push(r.timings.reduce((a, t) => a + t.ms, 0));
        trip.push(r.totalMs);
      }
      rows.push({ name: c.name, workerMs: median(worker), roundTripMs: median(trip) });
    }
    return {
      width: photo!.width,
      height: photo!.height,
      factor: photo!.factor,
      proxyWidth: photo!.image.width,
      proxyHeight: photo!.image.height,
      openMs: median(opens),
      rows,
    };
  } finally {
    processor.dispose();
  }
}

declare global {
  interface Window {
    runBench: typeof runBench;
    timePageFinder: typeof timePageFinder;
    runProxyBench: typeof runProxyBench;
  }
}
window.runBench = runBench;
window.timePageFinder = timePageFinder;
window.runProxyBench = runProxyBench;
document.getElementById('out')!.textContent = 'ready';
