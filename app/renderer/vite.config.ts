// Runs in Node at build time only; the browser code under src/ must stay free of Node modules.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
/** For `vite dev`: the renderer talks to its own origin, so forward the API to a running office. */
const officeUrl = process.env.YOCTOSEHNS_OFFICE_URL ?? `http://127.0.0.1:${process.env.YOCTOSEHNS_PORT ?? 8471}`;

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  server: { proxy: { '/v1': officeUrl } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Electron and current browsers support modulepreload natively; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
