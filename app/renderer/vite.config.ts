// Runs in Node at build time only; the browser code under src/ must stay free of Node modules (and so,
// to keep the rule simple to check, does this file: import.meta.dirname instead of node:url).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = import.meta.dirname;
/** For `vite dev`: the renderer talks to its own origin, so forward the API to a running office. */
const officeUrl = process.env.YOCTOSEHNS_OFFICE_URL ?? `http://127.0.0.1:${process.env.YOCTOSEHNS_PORT ?? 8471}`;

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  // ws: live queries use a WebSocket on /v1/graphql (the Host header is kept, so the office sees the page's own origin).
  server: { proxy: { '/v1': { target: officeUrl, ws: true } } },
  build: {
    outDir: `${here}/../../dist/renderer`,
    emptyOutDir: true,
    // Electron and current browsers support modulepreload natively; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
