// Builds what the desktop app runs, with esbuild (no 'electron' import here: it runs in plain Node, from
// `npm start` and `npm run dist`):
//   dist/electron/main.cjs     Electron's main process
//   dist/electron/preload.cjs  the window's preload (sandboxed: one CommonJS file, requiring only 'electron')
//   dist/office/office.mjs     the office (app/ TypeScript bundled, so no tsx at run time), with its PGlite
//   dist/office/pglite-worker.js, migrations/ and a package.json marking the folder as ES modules.
// PGlite stays an external package: it loads its WASM and data files from beside its own modules.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Packages the office bundle loads from node_modules instead of containing them. */
export const OFFICE_EXTERNALS = [
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  // Optional native add-ons their packages try and do without.
  'pg-native',
  'bufferutil',
  'utf-8-validate',
];

export interface DesktopBuild {
  main: string;
  preload: string;
  office: string;
  officeDir: string;
}

/** app/main/version.ts reads package.json relative to itself; in the bundle the version is written in. */
function inlineVersion(version: string): Plugin {
  return {
    name: 'inline-version',
    setup(build) {
      build.onLoad({ filter: /[\\/]app[\\/]main[\\/]version\.ts$/ }, () => ({
        contents: `export const VERSION: string = ${JSON.stringify(version)};\n`,
        loader: 'ts',
      }));
    },
  };
}

export async function buildDesktop(options: { root?: string; outDir?: string; minify?: boolean } = {}): Promise<DesktopBuild> {
  const { build } = await import('esbuild');
  const root = options.root ?? REPO_ROOT;
  const out = options.outDir ?? join(root, 'dist');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const electronDir = join(out, 'electron');
  const officeDir = join(out, 'office');
  rmSync(officeDir, { recursive: true, force: true });
  mkdirSync(electronDir, { recursive: true });
  mkdirSync(officeDir, { recursive: true });
  const common = { bundle: true, logLevel: 'warning' as const, minify: options.minify ?? false, sourcemap: 'linked' as const, legalComments: 'none' as const };

  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'app/main/electron/main.ts')],
      outfile: join(electronDir, 'main.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron'],
      // Modules shared with the office (config.ts) use import.meta.url; in CommonJS it is this file's URL.
      define: { YOCTOSEHNS_VERSION: JSON.stringify(version), 'import.meta.url': '__ysImportMetaUrl' },
      banner: { js: "const __ysImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    }),
    build({
      ...common,
      entryPoints: [join(root, 'app/main/electron/preload.ts')],
      outfile: join(electronDir, 'preload.cjs'),
      platform: 'browser',
      format: 'cjs',
      target: 'chrome120',
      external: ['electron'],
    }),
    ...[
      { entry: 'app/main/electron/office-process.ts', file: 'office.mjs' },
      { entry: 'app/db/pglite-worker.ts', file: 'pglite-worker.js' },
    ].map(({ entry, file }) =>
      build({
        ...common,
        entryPoints: [join(root, entry)],
        outfile: join(officeDir, file),
        platform: 'node',
        format: 'esm',
        target: 'node20',
        external: OFFICE_EXTERNALS,
        plugins: [inlineVersion(version)],
        // CommonJS dependencies (graphql, pg, ws) call require() for Node's built-ins.
        banner: { js: "import { createRequire as __ysCreateRequire } from 'node:module'; const require = __ysCreateRequire(import.meta.url);" },
      }),
    ),
  ]);
  // The office entry is an .mjs so Electron's utilityProcess loads it as a module wherever it sits; the
  // worker keeps the .js name pglite-client.ts asks for, with this package.json saying it is a module.
  writeFileSync(join(officeDir, 'package.json'), JSON.stringify({ type: 'module', private: true }, null, 2) + '\n');
  cpSync(join(root, 'app/db/migrations'), join(officeDir, 'migrations'), { recursive: true, filter: (src) => !/\.(test\.)?ts$/.test(src) });
  return { main: join(electronDir, 'main.cjs'), preload: join(electronDir, 'preload.cjs'), office: join(officeDir, 'office.mjs'), officeDir };
}
