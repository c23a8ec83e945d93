import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The FastAPI app serves web/dist at "/" and keeps the API under /api; in dev, Vite proxies /api
// (WebSocket included) and the favicon to a server started with `ocr-playground serve`
// (OCRP_API to override).
const api = process.env.OCRP_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  base: './',
  worker: { format: 'es' },
  server: { proxy: { '/api': { target: api, ws: true, changeOrigin: true }, '/favicon.svg': { target: api } } },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    // bench.html is the worker benchmark page (bench/web.py); it loads OpenCV.js from a URL the
    // driver serves, so the 8 MB peer never enters the bundle.
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  test: { environment: 'node', include: ['src/**/*.test.ts'], globalSetup: ['scripts/vitest-setup.mjs'] },
});
