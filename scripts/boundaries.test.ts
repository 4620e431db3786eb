import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findViolations, importsOf } from './boundaries.ts';

test('the repository keeps its import boundaries', () => {
  const root = resolve(new URL('..', import.meta.url).pathname);
  assert.deepEqual(findViolations(root), []);
});

test('the check catches each kind of violation', () => {
  const root = mkdtempSync(join(tmpdir(), 'ys-boundaries-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('app/renderer/src/a.tsx', `import fs from 'node:fs';\nimport { x } from '../../db/index.ts';\nimport { PGlite } from '@electric-sql/pglite';\n`);
  write('app/renderer/src/b.ts', `const p = await import('path');\nexport { y } from "../../main/office/create-office.ts";\n`);
  write('app/renderer/src/ok.ts', `import { NODE_KINDS } from '../../shared/node-protocol.ts';\nimport React from 'react';\n`);
  write('app/shared/c.ts', `import { z } from '../renderer/src/ok.ts';\nimport crypto from 'crypto';\n`);
  write('app/main/office/d.ts', `import { app } from 'electron';\n`);
  write('app/db/e.ts', `const { ipcMain } = require('electron/main');\n`);
  write('app/main/electron/window.ts', `import { BrowserWindow } from 'electron';\n`);
  write('app/renderer/src/f.test.ts', `import { test } from 'node:test';\n`);
  write('app/renderer/src/g.test.ts', `import { assert, test } from '../../../scripts/test-api.ts';\n`);
  try {
    const found = findViolations(root).map((v) => `${v.file}:${v.line} ${v.specifier}`);
    assert.deepEqual(found.sort(), [
      'app/db/e.ts:1 electron/main',
      'app/main/office/d.ts:1 electron',
      'app/renderer/src/a.tsx:1 node:fs',
      'app/renderer/src/a.tsx:2 ../../db/index.ts',
      'app/renderer/src/a.tsx:3 @electric-sql/pglite',
      'app/renderer/src/b.ts:1 path',
      'app/renderer/src/b.ts:2 ../../main/office/create-office.ts',
      'app/renderer/src/f.test.ts:1 node:test',
      'app/shared/c.ts:1 ../renderer/src/ok.ts',
      'app/shared/c.ts:2 crypto',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('import forms are recognised', () => {
  const src = `import a from 'a';\nimport type { B } from "b";\nimport 'c';\nexport * from 'd';\nconst e = require('e');\nconst f = await import("f");\nimport {\n  g,\n} from 'g';`;
  assert.deepEqual(importsOf(src).map((i) => i.specifier), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
});
