/**
 * An error of the schema API (/v2/query) or the metadata API (/v1/metadata), answered as Hasura answers it:
 * `{"error": message, "code": "not-exists" | …, "path": "$.args…"}` (and `internal` for a PostgreSQL error).
 * Clients written for Hasura look at `code`; `path` points into the request body.
 */
export class HasuraApiError extends Error {
  override name = 'HasuraApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string = '$',
    readonly internal?: unknown,
  ) {
    super(message);
  }

  body(): { error: string; code: string; path: string; internal?: unknown } {
    return { error: this.message, code: this.code, path: this.path, ...(this.internal === undefined ? {} : { internal: this.internal }) };
  }
}

/** What a non-admin role gets from an admin-only API (Hasura's wording and code). */
export function accessDenied(): HasuraApiError {
  return new HasuraApiError(403, 'access-denied', 'restricted access : admin only', '$.args');
}

/** Hasura's JSON path of a key below `path`: `.name`, or `["odd key"]` when it is not a plain name. */
export function pathKey(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Hasura's name for a JSON value's type in parse errors. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'Array';
  return { string: 'String', number: 'Number', boolean: 'Boolean', object: 'Object' }[typeof value as string] ?? 'value';
}
