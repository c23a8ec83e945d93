import { defineConfig } from 'vite';

// A Node build of the kernels for the parity suite (pytest feeds raw RGBA through it), so
// Python compares its ops with the very code the workers run.
export default defineConfig({
  build: {
    ssr: 'scripts/run-kernel.ts',
    outDir: 'dist-node',
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: 'run-kernel.mjs' } },
  },
});
