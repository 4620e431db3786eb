// Runs every YAML case under cases/ against one real office, as Hasura's own tests-py suite runs its YAML
// files against a running graphql-engine. The format and the reset rule are described in README.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';
import yaml from 'js-yaml';
import { startTestOffice, type TestOffice } from '../../testing/test-office.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CASES_DIR = join(HERE, 'cases');
/** Mutation-free folders first; a case that mutates re-loads the fixture's data afterwards wherever it lives. */
const FOLDERS = ['queries', 'aggregates', 'relationships', 'order_by', 'permissions', 'errors', 'protection', 'mutations'];

interface ExpectedError {
  code: string;
  /** A substring of the error's message. */
  message?: string;
  /** extensions.path, compared exactly. */
  path?: string;
}

interface Step {
  query: string;
  variables?: Record<string, unknown>;
  operation_name?: string;
  role?: string;
  session?: Record<string, string | number | boolean>;
  status?: number;
  response?: unknown;
  error?: ExpectedError;
  /** Substrings that must not appear anywhere in the response body. */
  body_excludes?: string[];
}

interface Case extends Partial<Step> {
  description: string;
  steps?: Partial<Step>[];
  /** Re-load the fixture's data after this case even if it sends no mutation. */
  reset?: boolean;
}

interface LoadedCase {
  name: string;
  description: string;
  steps: Step[];
  mutates: boolean;
}

const STEP_KEYS = new Set(['query', 'variables', 'operation_name', 'role', 'session', 'status', 'response', 'error', 'body_excludes']);
const CASE_KEYS = new Set([...STEP_KEYS, 'description', 'steps', 'reset']);

function loadCase(folder: string, file: string): LoadedCase {
  const name = `${folder}/${file.replace(/\.ya?ml$/, '')}`;
  const raw = yaml.load(readFileSync(join(CASES_DIR, folder, file), 'utf8')) as Case;
  if (!raw || typeof raw !== 'object') throw new Error(`${name}: not a YAML mapping`);
  for (const key of Object.keys(raw)) if (!CASE_KEYS.has(key)) throw new Error(`${name}: unknown key '${key}'`);
  if (typeof raw.description !== 'string' || !raw.description.trim()) throw new Error(`${name}: needs a description`);
  const { description, steps: rawSteps, reset, ...single } = raw;
  const defaults = { role: raw.role, session: raw.session };
  const steps = (rawSteps ?? [single]).map((s, i): Step => {
    for (const key of Object.keys(s)) if (!STEP_KEYS.has(key)) throw new Error(`${name} step ${i + 1}: unknown key '${key}'`);
    const step = { ...defaults, ...s } as Step;
    if (typeof step.query !== 'string') throw new Error(`${name} step ${i + 1}: needs a query`);
    if ((step.response === undefined) === (step.error === undefined)) throw new Error(`${name} step ${i + 1}: needs exactly one of response and error`);
    if (step.error && typeof step.error.code !== 'string') throw new Error(`${name} step ${i + 1}: error needs a code`);
    return step;
  });
  if (rawSteps && Object.keys(single).some((k) => k !== 'role' && k !== 'session')) {
    throw new Error(`${name}: a case with steps keeps query, response and error inside its steps`);
  }
  return { name, description, steps, mutates: !!reset || steps.some((s) => isMutation(s.query)) };
}

function isMutation(query: string): boolean {
  try {
    return parse(query).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'mutation');
  } catch {
    return false; // a parse-error case sends no mutation
  }
}

function loadCases(): LoadedCase[] {
  const present = readdirSync(CASES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const unknown = present.filter((f) => !FOLDERS.includes(f));
  if (unknown.length) throw new Error(`unknown case folders: ${unknown.join(', ')} (add them to FOLDERS)`);
  return FOLDERS.filter((f) => present.includes(f)).flatMap((folder) =>
    readdirSync(join(CASES_DIR, folder))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((file) => loadCase(folder, file)),
  );
}

const [schemaSql, resetSql] = readFileSync(join(HERE, 'fixture.sql'), 'utf8').split(/^-- reset$/m) as [string, string | undefined];
if (resetSql === undefined) throw new Error('fixture.sql needs a "-- reset" line');

let office: TestOffice;
before(async () => {
  office = await startTestOffice();
  await office.db.exec(schemaSql);
  await office.db.exec(resetSql);
  await office.graphqlEngine.rebuild();
});
after(() => office?.close());

async function send(step: Step): Promise<{ status: number; body: any; text: string }> {
  // Hasura's clients send application/json; the GraphQL-over-HTTP answer to it is 200 for GraphQL errors too.
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...office.adminHeaders };
  if (step.role) headers['x-hasura-role'] = step.role;
  for (const [k, v] of Object.entries(step.session ?? {})) headers[k.toLowerCase()] = String(v);
  const res = await fetch(`${office.apiUrl}/v1/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: step.query, variables: step.variables, operationName: step.operation_name }),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`the response is not JSON (status ${res.status}): ${text.slice(0, 500)}`);
  }
  return { status: res.status, body, text };
}

/** Hasura never shows a non-admin role the SQL, the internal error or a stack: only message, code and path. */
function assertNothingLeaked(body: any, text: string): void {
  for (const e of body.errors ?? []) {
    assert.equal(e.stack, undefined, 'an error carries a stack');
    for (const key of Object.keys(e.extensions ?? {})) assert.ok(key === 'code' || key === 'path', `an error's extensions carry '${key}'`);
  }
  assert.doesNotMatch(text, /\b(SELECT|INSERT INTO|DELETE FROM|RETURNING|json_build_object|json_agg)\b/, 'the response shows SQL');
  assert.doesNotMatch(text, /\bat [\w.<>]+ \(|node:internal|\.ts:\d+/, 'the response shows a stack trace');
}

async function runStep(c: LoadedCase, step: Step, index: number): Promise<void> {
  const where = c.steps.length > 1 ? ` (step ${index + 1})` : '';
  const { status, body, text } = await send(step);
  const shown = JSON.stringify(body);
  if (step.response !== undefined) {
    assert.equal(status, step.status ?? 200, `status${where}: ${shown}`);
    assert.deepEqual(body, step.response, `${c.description}${where}`);
  } else {
    const want = step.error!;
    if (step.status !== undefined) assert.equal(status, step.status, `status${where}: ${shown}`);
    assert.ok(Array.isArray(body.errors) && body.errors.length === 1, `exactly one error expected${where}, got: ${shown}`);
    assert.ok(body.data === undefined || body.data === null, `an error response carries no data${where}: ${shown}`);
    const [err] = body.errors;
    assert.equal(err.extensions?.code, want.code, `extensions.code${where}: ${shown}`);
    if (want.message !== undefined) assert.ok(String(err.message).includes(want.message), `message${where} should contain ${JSON.stringify(want.message)}: ${shown}`);
    if (want.path !== undefined) assert.equal(err.extensions?.path, want.path, `extensions.path${where}: ${shown}`);
  }
  if ((step.role ?? 'admin') !== 'admin') assertNothingLeaked(body, text);
  for (const s of step.body_excludes ?? []) assert.ok(!text.includes(s), `the response${where} must not contain ${JSON.stringify(s)}: ${text}`);
}

for (const c of loadCases()) {
  test(c.name, async () => {
    // Every step runs even when an earlier one failed, so that (say) a wrong error path does not hide
    // whether the request was rolled back.
    const failures: unknown[] = [];
    try {
      for (const [i, step] of c.steps.entries()) await runStep(c, step, i).catch((err: unknown) => failures.push(err));
    } finally {
      if (c.mutates) await office.db.exec(resetSql);
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new Error(failures.map((e) => (e as Error).message).join('\n---\n'));
  });
}
