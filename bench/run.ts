// `npm run bench -- <name> [options]`: benchmarks that print their figures. Not part of the test run.
const BENCHES: Record<string, string> = {
  storage: './storage.ts',
  startup: './startup.ts',
  ingest: './ingest.ts',
  graphql: './graphql.ts',
  ui: './ui.ts',
  alerts: './alerts.ts',
  rollups: './rollups.ts',
  export: './export.ts',
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  process.exit(2);
}
const mod = (await import(BENCHES[name]!)) as { main(argv: string[]): Promise<void> };
await mod.main(rest);
