// The app's command line carries more than the office's flags: Chromium and Electron switches (Playwright
// adds --inspect=0 and --remote-debugging-port=0), --hidden from a login item, the main script's path in
// development. The office parses its flags strictly, so it is handed only the flags it knows.

export function officeArgsFrom(argv: string[], knownFlags: Iterable<string>): string[] {
  const known = new Set(knownFlags);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([^=]+)(=(.*))?$/.exec(arg);
    if (!m || !known.has(m[1]!)) continue;
    if (m[2] !== undefined) out.push(`--${m[1]}`, m[3]!);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out.push(`--${m[1]}`, argv[++i]!);
  }
  return out;
}
