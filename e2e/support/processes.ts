// Runs the office and the CLI as real processes, the way a farmer or a script runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface ServeProcess {
  proc: ChildProcess;
  api: string;
  ingest: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash or a power cut would end it (without the power cut). */
  kill9(): Promise<void>;
}

export function exitOf(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

/** Starts `serve` on loopback with ephemeral ports and resolves once it printed its ready line. */
export function startServe(dataDir: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<ServeProcess> {
  const proc = spawn(
    process.execPath,
    // YOCTOSEHNS_CPU_PROFILE_DIR=DIR writes the office's CPU profiles there (main thread and database worker):
    // how the ingest benchmark's office was profiled (NODE_OPTIONS may not carry --cpu-prof).
    [...(process.env.YOCTOSEHNS_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.YOCTOSEHNS_CPU_PROFILE_DIR}`] : []), '--import', TSX, 'app/main/serve.ts', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--ingest-host', '127.0.0.1', '--ingest-port', '0', ...extraArgs],
    // mDNS off: tests must not announce on the machine's real network (discovery has its own isolated test).
    { cwd: ROOT, env: { ...process.env, YOCTOSEHNS_DISCOVERY: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`serve did not get ready in 60 s\nstdout: ${out}\nstderr: ${err}`));
    }, 60_000);
    const onData = () => {
      const m = /^ready api=(\S+) ingest=(\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      resolve({
        proc,
        api: m[1]!,
        ingest: m[2]!,
        stdout: () => out,
        stderr: () => err,
        async stop() {
          proc.kill('SIGTERM');
          return exitOf(proc);
        },
        async kill9() {
          proc.kill('SIGKILL');
          await exitOf(proc);
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`serve exited with ${code} before ready\nstdout: ${out}\nstderr: ${err}`), { code, stderr: err }));
    });
  });
}

/** Runs a CLI command to completion. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', TSX, 'app/main/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdin.end(input ?? '');
  return exitOf(proc).then((code) => ({ code, stdout, stderr }));
}
