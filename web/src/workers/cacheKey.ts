import canonicalize from 'canonicalize';

/**
 * The cache key of docs/contract.md, the same on client and server:
 *   pipeline_id + ":" + sha256hex(sha256hex(image bytes) + "\n" + JCS(params)
 *                                   [+ "\n" + checkpoint [+ "\n" + recognizer]]).slice(0, 16)
 * JCS is RFC 8785 canonical JSON (the `canonicalize` package: sorted keys, ECMAScript numbers,
 * so 1024.0 is "1024" and 1e-7 is "1e-7"). Params are hashed as sent, defaults not filled in.
 * A recognizer reads the detector's lines, so it never comes without a checkpoint.
 */
export async function sha256Hex(data: BufferSource | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('params cannot be expressed as JSON');
  return text;
}

/** The per-change half: the image digest was computed once, when the image was opened. */
export async function cacheKeyFromDigest(
  pipelineId: string,
  imageDigest: string,
  params: unknown,
  checkpointPath?: string | null,
  recognizerPath?: string | null,
): Promise<string> {
  let material = `${imageDigest}\n${canonicalJson(params)}`;
  if (checkpointPath) material += `\n${checkpointPath}`;
  if (recognizerPath) {
    if (!checkpointPath) throw new TypeError('a recognizer path is only part of a key beside a checkpoint path');
    material += `\n${recognizerPath}`;
  }
  return `${pipelineId}:${(await sha256Hex(material)).slice(0, 16)}`;
}

export async function cacheKey(
  pipelineId: string,
  imageBytes: BufferSource,
  params: unknown,
  checkpointPath?: string | null,
  recognizerPath?: string | null,
): Promise<string> {
  return cacheKeyFromDigest(pipelineId, await sha256Hex(imageBytes), params, checkpointPath, recognizerPath);
}
