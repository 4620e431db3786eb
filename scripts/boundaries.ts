// Where code may run decides what it may import (as Signal-Desktop checks it):
// - app/renderer/ and app/shared/ run in a browser: no Node built-ins, no database drivers, nothing from
//   app/db, app/main or app/ingest-server (app/renderer may use app/shared);
// - only app/main/electron/ may import 'electron'.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** node:test and node:sqlite exist only with the prefix and are missing from builtinModules. */
const isBuiltin = (specifier: string, bare: string) => specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(bare);
const NODE_ONLY_PACKAGES = ['@electric-sql/pglite', 'pg', 'ws', 'graphql-http/lib/use/http', 'graphql-ws/use', 'csv-parse', 'tsx', 'playwright-core'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(p);
    else if (/\.(m|c)?[jt]sx?$/.test(entry.name)) yield p;
  }
}

export function importsOf(source: string): { specifier: string; line: number }[] {
  const out: { specifier: string; line: number }[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const specifier = m[1] ?? m[2] ?? m[3];
    if (!specifier) continue;
    out.push({ specifier, line: source.slice(0, m.index + m[0].lastIndexOf(specifier)).split('\n').length });
  }
  return out;
}

export function findViolations(root: string): Violation[] {
  const violations: Violation[] = [];
  const app = join(root, 'app');
  for (const file of sourceFiles(app)) {
    const rel = relative(root, file).split(sep).join('/');
    const isTest = /\.test\.[cm]?[jt]sx?$/.test(rel);
    const inBrowser = (rel.startsWith('app/renderer/') || rel.startsWith('app/shared/')) && !isTest && !rel.endsWith('vite.config.ts');
    const inElectron = rel.startsWith('app/main/electron/');
    for (const { specifier, line } of importsOf(readFileSync(file, 'utf8'))) {
      const bare = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
      if (!inElectron && (bare === 'electron' || specifier.startsWith('electron/'))) {
        violations.push({ file: rel, line, specifier, rule: "only app/main/electron/ may import 'electron'" });
      }
      // Renderer tests run in Node but live among browser code: they take node:test and assert from
      // scripts/test-api.ts, so no file under app/renderer names a Node module.
      if (isTest && rel.startsWith('app/renderer/') && isBuiltin(specifier, bare)) {
        violations.push({ file: rel, line, specifier, rule: 'renderer tests take node:test and assert from scripts/test-api.ts' });
      }
      if (!inBrowser) continue;
      if (isBuiltin(specifier, bare)) {
        violations.push({ file: rel, line, specifier, rule: 'browser code may not import Node built-ins' });
      } else if (NODE_ONLY_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`))) {
        violations.push({ file: rel, line, specifier, rule: 'browser code may not import Node-only packages' });
      } else if (specifier.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), specifier)).split(sep).join('/');
        const forbidden = ['app/db', 'app/main', 'app/ingest-server', ...(rel.startsWith('app/shared/') ? ['app/renderer'] : [])];
        const hit = forbidden.find((f) => target === f || target.startsWith(`${f}/`));
        if (hit) violations.push({ file: rel, line, specifier, rule: `browser code may not import from ${hit}` });
      }
    }
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = findViolations(resolve(new URL('..', import.meta.url).pathname));
  for (const v of found) process.stderr.write(`${v.file}:${v.line}: "${v.specifier}": ${v.rule}\n`);
  process.stdout.write(found.length ? `${found.length} import boundary violation(s)\n` : 'import boundaries ok\n');
  process.exit(found.length ? 1 : 0);
}
