// Test support: a real office (PGlite on disk, HTTP on loopback) in a temporary data dir.
import { tempDataDir } from '../../db/testing/snapshot.ts';
import { defaults, type OfficeConfig } from '../config/config.ts';
import { createOffice, type Office } from '../office/create-office.ts';
import { createLogger, silentLogger } from '../log.ts';
import { runCommand } from '../cli/commands.ts';
import { readSecret } from '../security/secrets.ts';

export interface TestOffice extends Office {
  dataDir: string;
  /** Provisions a node and returns its token. */
  addNode(name: string, kind?: string, extra?: string[]): Promise<{ id: number; token: string }>;
  /** POSTs readings to the ingest listener with a node token. */
  post(token: string | undefined, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Headers that make an API request admin (Hasura's x-hasura-admin-secret: the office's control key). */
  adminHeaders: Record<string, string>;
  /** Runs a GraphQL query on the API port as admin. */
  graphql(query: string, variables?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

export async function startTestOffice(overrides: Partial<OfficeConfig> = {}): Promise<TestOffice> {
  const { dataDir, snapshot, cleanup } = await tempDataDir('ys-office-');
  const config: OfficeConfig = {
    ...defaults(),
    dataDir,
    initSnapshot: snapshot,
    host: '127.0.0.1',
    port: 0,
    ingestHost: '127.0.0.1',
    ingestPort: 0,
    discovery: false,
    ...overrides,
  };
  const office = await createOffice(config, process.env.YOCTOSEHNS_TEST_LOG ? createLogger('office', 'debug') : silentLogger);
  const adminHeaders = { 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')! };
  return Object.assign(office, {
    dataDir,
    adminHeaders,
    async addNode(name: string, kind = 'collar', extra: string[] = []) {
      const r = await runCommand({ db: office.db, readFile: async () => '' }, ['node', 'add', '--name', name, '--kind', kind, '--json', ...extra]);
      if (r.code !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as { id: number; token: string };
    },
    async post(token: string | undefined, body: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${office.ingestUrl}/v1/readings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async graphql(query: string, variables?: Record<string, unknown>) {
      const res = await fetch(`${office.apiUrl}/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...adminHeaders },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    async close() {
      await office.stop();
      cleanup();
    },
  });
}
