import { describe, expect, it } from 'vitest';
import { batchCommand, detectCommand, runCommand } from '../lib/cliCommands';

const params = { grayscale: {}, blur: { kernelSize: 5, sigma: 0 } };

describe('CLI commands of the Studios', () => {
  it('runs the image the Studio shows with its params, quoted for the shell', () => {
    expect(runCommand({ name: 'receipts/a.jpg', serverPath: 'data/receipts/a.jpg' }, params)).toBe(
      `ocr-playground run data/receipts/a.jpg --params '{"grayscale":{},"blur":{"kernelSize":5,"sigma":0}}' -o a-out.png`,
    );
    // A hostile local file name stays one argument.
    expect(runCommand({ name: "it's $HOME.jpg" }, {})).toBe(`ocr-playground run 'it'"'"'s $HOME.jpg' --params '{}' -o 'it'"'"'s $HOME-out.png'`);
  });

  it('detects with the checkpoint, ops and thresholds of the Inference Studio', () => {
    const p = { grayscale: {}, detection: { boxThresh: 0.5 } };
    expect(detectCommand({ name: 'r.png', serverPath: '/srv/data/r.png' }, 'builtin:ppocrv4-det', p)).toBe(
      `ocr-playground detect /srv/data/r.png --checkpoint builtin:ppocrv4-det --params '{"grayscale":{},"detection":{"boxThresh":0.5}}' -o r-predictions.json`,
    );
  });

  it("runs a batch over the image's folder, or a folder to name for a local file", () => {
    expect(batchCommand({ name: 'receipts/a.jpg', serverPath: 'data/receipts/a.jpg' }, 'preprocessing', params)).toBe(
      `ocr-playground batch data/receipts --pipeline preprocessing --params '{"grayscale":{},"blur":{"kernelSize":5,"sigma":0}}'`,
    );
    expect(batchCommand({ name: 'a.jpg' }, 'inference', {}, 'builtin:ppocrv4-det')).toBe(
      `ocr-playground batch path/to/images --pipeline inference --params '{}' --checkpoint builtin:ppocrv4-det`,
    );
  });

  it('reads the text with the recognizer the Inference Studio has chosen', () => {
    expect(detectCommand({ name: 'r.png' }, 'builtin:ppocrv4-det', {}, 'builtin:ppocrv4-rec')).toBe(
      `ocr-playground detect r.png --checkpoint builtin:ppocrv4-det --recognizer builtin:ppocrv4-rec --params '{}' -o r-predictions.json`,
    );
    expect(batchCommand({ name: 'a.jpg' }, 'inference', {}, 'det.onnx', 'rec.onnx')).toBe(
      `ocr-playground batch path/to/images --pipeline inference --params '{}' --checkpoint det.onnx --recognizer rec.onnx`,
    );
  });
});
