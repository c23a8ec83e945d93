import { describe, expect, it } from 'vitest';
import { cacheKey, cacheKeyFromDigest, canonicalJson, sha256Hex } from '../workers/cacheKey';
// The same golden vectors the Python tests read: one file, both engines.
import vectors from '../../../tests/data/cache-key-vectors.json';

interface Vector {
  pipeline_id: string;
  image_base64: string;
  params: unknown;
  checkpoint_path: string | null;
  recognizer_path: string | null;
  cache_key: string;
}

describe('cache key', () => {
  it.each((vectors as Vector[]).map((v, i) => [i, v] as const))('matches golden vector %i', async (_i, v) => {
    const bytes = Uint8Array.from(Buffer.from(v.image_base64, 'base64'));
    expect(await cacheKey(v.pipeline_id, bytes, v.params, v.checkpoint_path, v.recognizer_path)).toBe(v.cache_key);
  });

  it('keeps a key with a recognizer apart from the same key without, and needs a checkpoint for it', async () => {
    const digest = await sha256Hex(new Uint8Array([1, 2, 3]));
    const plain = await cacheKeyFromDigest('inference', digest, {}, 'det.onnx');
    expect(await cacheKeyFromDigest('inference', digest, {}, 'det.onnx', 'rec.onnx')).not.toBe(plain);
    await expect(cacheKeyFromDigest('inference', digest, {}, null, 'rec.onnx')).rejects.toThrow(/checkpoint/);
  });

  it('hashes the image once and only the params per change', async () => {
    const digest = await sha256Hex(new Uint8Array([1, 2, 3]));
    const a = await cacheKeyFromDigest('preprocessing', digest, { blur: { kernelSize: 5 } });
    const b = await cacheKey('preprocessing', new Uint8Array([1, 2, 3]), { blur: { kernelSize: 5 } });
    expect(a).toBe(b);
  });

  it('serialises numbers as ECMAScript does and sorts keys', () => {
    expect(canonicalJson({ b: 1024.0, a: 1e-7, c: [0.5, -0] })).toBe('{"a":1e-7,"b":1024,"c":[0.5,0]}');
  });
});
