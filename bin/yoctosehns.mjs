#!/usr/bin/env node
// The package's `yoctosehns` command: the CLI, run through tsx so the TypeScript sources are the program.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../app/main/cli/main.ts', import.meta.url));
// Resolved from this package, so the command works from any folder.
const tsx = import.meta.resolve('tsx');
const r = spawnSync(process.execPath, ['--import', tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
