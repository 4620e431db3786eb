// `npm start`: the desktop app. Electron's main process is started when an Electron binary can be found;
// otherwise (no binary, as on machines that cannot download one) the same office runs as `serve`.
import { spawn } from 'node:child_process';
import { failStart, serve } from './serve.ts';
import { buildDesktop } from './electron/build.ts';
import { ensureElectron, findElectron } from './electron/find-electron.ts';

export { findElectron };

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const electron = ensureElectron();
  if ('path' in electron) {
    // Main process, preload and the office bundle (dist/electron, dist/office): the same files a package holds.
    const { main } = await buildDesktop();
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
