// The office inside Electron's utilityProcess: runs `serve` and tells the main process where it listens.
import { register } from 'tsx/esm/api';

register();
const { serve } = await import('../serve.ts');
try {
  const office = await serve(process.argv.slice(2));
  process.stdout.write(`ready api=${office.apiUrl} ingest=${office.ingestUrl}\n`);
  process.parentPort?.postMessage({ type: 'ready', api: office.apiUrl });
} catch (err) {
  process.parentPort?.postMessage({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
