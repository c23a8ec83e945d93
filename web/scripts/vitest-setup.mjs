// Vitest's global setup: the tests import the WebAssembly kernels from kernels.wasm.gen.ts, so
// build it from web/assembly first (a no-op when it is up to date), or `npx vitest` would test a
// stale module.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function setup() {
  execFileSync(process.execPath, [fileURLToPath(new URL('./build-wasm.mjs', import.meta.url))], { stdio: 'inherit' });
}
