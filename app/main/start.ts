// `npm start`: the desktop app. Electron's main process is started when an Electron binary can be found;
// otherwise (no binary, as on machines that cannot download one) the same office runs as `serve`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { failStart, serve } from './serve.ts';

/** The Electron binary's path, or the reason there is none. */
export function findElectron(): { path: string } | { reason: string } {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    // The electron package's main export is the path of its downloaded binary (it throws when none was).
    path = require('electron') as string;
  } catch (err) {
    return { reason: (err as Error).message.split('\n')[0] || 'the electron package is not installed' };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { reason: 'the Electron binary was not downloaded' };
  return { path };
}

/** Bundles the Electron main process (TypeScript) into one CommonJS file Electron can load. */
async function buildElectronMain(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = fileURLToPath(new URL('../../dist/electron/main.cjs', import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL('./electron/main.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    define: { OFFICE_ENTRY: JSON.stringify(fileURLToPath(new URL('./electron/office-entry.mjs', import.meta.url))) },
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const electron = findElectron();
  if ('path' in electron) {
    const main = await buildElectronMain();
    const child = spawn(electron.path, [main, ...argv], { stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`Electron could not start (${err.message}); running the office headless (serve) instead.\n`);
      serve(argv).then((o) => process.stdout.write(`ready api=${o.apiUrl} ingest=${o.ingestUrl}\n`), failStart);
    });
    child.on('exit', (code) => process.exit(code ?? 0));
  } else {
    process.stderr.write(`No usable Electron binary (${electron.reason}); running the office headless (serve) instead — open the api URL below in a browser.\n`);
    serve(argv).then((o) => process.stdout.write(`ready api=${o.apiUrl} ingest=${o.ingestUrl}\n`), failStart);
  }
}
