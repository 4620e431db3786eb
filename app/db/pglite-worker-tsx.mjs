// Development entry of the PGlite worker: registers tsx in this thread, then loads the TypeScript worker.
// (A compiled build starts pglite-worker.js directly.)
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker.ts');
