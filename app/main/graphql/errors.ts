import { GraphQLError, Kind, visit, type ASTNode, type DocumentNode } from 'graphql';
import { DatabaseError } from '../../db/index.ts';

/**
 * An error a request gets back in Hasura's shape: `{"message", "extensions": {"code", "path"}}`, with codes as
 * Hasura names them (validation-failed, constraint-violation, permission-error, data-exception, not-found, …).
 */
export class HasuraError extends Error {
  override name = 'HasuraError';
  /**
   * `path`: undefined → the root field's path; `@…` (such as `@.args.where`) → appended to the root field's
   * path; anything else (`$`, `$.query`) → as given.
   */
  constructor(
    readonly code: string,
    message: string,
    readonly path?: string,
    /** Shown to the admin role only: the database's own message and the statement. */
    readonly internal?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** PostgreSQL SQLSTATE → Hasura's code and message prefix (as Hasura's Postgres backend reports them). */
function fromDatabase(err: DatabaseError): HasuraError {
  const code = err.code ?? '';
  const internal = { error: { message: err.message, status_code: code, description: err.detail ?? null }, statement: err.query };
  const violation = (prefix: string) => new HasuraError('constraint-violation', `${prefix}. ${err.message}`, undefined, internal);
  if (code === 'YS001') return new HasuraError('permission-error', err.message, undefined, internal);
  if (code === '23505') return violation('Uniqueness violation');
  if (code === '23503') return violation('Foreign key violation');
  if (code === '23502') return violation('Not-NULL violation');
  // Hasura reports a CHECK constraint as a permission error (its own permission checks were CHECKs once).
  if (code === '23514') return new HasuraError('permission-error', `Check constraint violation. ${err.message}`, undefined, internal);
  if (code === '23P01') return violation('Exclusion violation');
  if (code.startsWith('23')) return violation('Integrity constraint violation');
  if (code.startsWith('22')) return new HasuraError('data-exception', err.message, undefined, internal);
  if (code === '57014') return new HasuraError('unexpected', 'the query took too long and was cancelled (statement timeout)', undefined, internal);
  if (code === 'P0001') return new HasuraError('unexpected', err.message, undefined, internal);
  return new HasuraError('unexpected', 'database query error', undefined, internal);
}

/** A database error of a root field, with the path Hasura gives it for the field's kind. */
export function databaseError(err: DatabaseError, argsPath?: string): HasuraError {
  const e = fromDatabase(err);
  return argsPath && (e.code === 'constraint-violation' || e.code === 'data-exception' || e.code === 'permission-error')
    ? new HasuraError(e.code, e.message, argsPath, e.internal)
    : e;
}

function responsePath(document: DocumentNode | undefined, target: ASTNode | undefined): string {
  if (!document || !target) return '$';
  const stack: string[] = [];
  let found: string | undefined;
  const own = (node: ASTNode, key: string | number | undefined, inList: boolean): string[] =>
    node.kind === Kind.FIELD ? ['.selectionSet', `.${node.alias?.value ?? node.name.value}`]
    : node.kind === Kind.ARGUMENT ? ['.args', `.${node.name.value}`]
    : node.kind === Kind.OBJECT_FIELD ? [`.${node.name.value}`]
    : inList && typeof key === 'number' ? [`[${key}]`]
    : [];
  visit(document, {
    enter(node, key, _parent, _path, ancestors) {
      if (found) return false;
      const last = ancestors[ancestors.length - 1];
      const parts = own(node, key, !!last && !Array.isArray(last) && (last as ASTNode).kind === Kind.LIST);
      if (node === target) {
        found = ['$', ...stack, ...parts].join('');
        return false;
      }
      stack.push(...parts);
      (node as { _ysParts?: number })._ysParts = parts.length;
      return undefined;
    },
    leave(node) {
      const n = (node as { _ysParts?: number })._ysParts ?? 0;
      if (n) stack.splice(-n);
    },
  });
  return found ?? '$';
}

/** graphql-js's validation messages reworded as Hasura words them, so clients matching on them keep working. */
function hasuraValidation(message: string): { message: string; code?: string; suffix?: string; path?: string } {
  let m = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(message);
  if (m) return { message: `field '${m[1]}' not found in type: '${m[2]}'` };
  m = /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"\./.exec(message);
  if (m) return { message: `'${m[3]}' has no argument named '${m[1]}'` };
  m = /^Field "([^"]+)" is not defined by type "([^"]+)"\./.exec(message);
  if (m) return { message: `field '${m[1]}' not found in type: '${m[2]}'` };
  m = /^Field "([^".]+)\.?([^"]*)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided\./.exec(message);
  if (m) return { message: `missing required field '${m[3]}'` };
  m = /^Field "([^"]+)" of type "[^"]+" must have a selection of subfields/.exec(message);
  if (m) return { message: `missing selection set for '${m[1]}'`, suffix: '.selectionSet' };
  if (/^Field "[^"]+" must not have a selection since type/.test(message)) return { message: 'unexpected subselection set for non-object field' };
  m = /^Variable "\$([^"]+)" of type "([^"]+)" used in position expecting type "([^"]+)"\./.exec(message);
  if (m) return { message: `variable '${m[1]}' is declared as '${m[2]}', but used where '${m[3]}' is expected` };
  m = /^(Int|Float|String|Boolean) cannot represent [^:]*value: (.*)$/s.exec(message);
  if (m) {
    const expected = { Int: 'a 32-bit integer', Float: 'a float', String: 'a string', Boolean: 'a boolean' }[m[1] as 'Int'];
    const v = m[2]!.trim();
    const found = v.startsWith('"') ? 'a string' : v === 'true' || v === 'false' ? 'a boolean' : v.startsWith('{') ? 'an object' : v.startsWith('[') ? 'a list' : v === 'null' ? 'null' : 'a number';
    return { message: `expected ${expected} for type '${m[1]}', but found ${found}` };
  }
  if (message.startsWith('Syntax Error')) return { message: `not a valid graphql query: ${message}`, path: '$.query' };
  if (message.startsWith('GraphQL introspection has been disabled')) return { message: 'introspection is disabled for role', code: 'not-supported', path: '$' };
  return { message };
}

/** A validation (or parse) error of graphql-js in Hasura's shape. */
export function validationError(err: GraphQLError, document?: DocumentNode): GraphQLError {
  const h = hasuraValidation(err.message);
  const code = h.code ?? (err.extensions?.code as string | undefined) ?? 'validation-failed';
  return new GraphQLError(h.message, { extensions: { path: h.path ?? responsePath(document, err.nodes?.[0]) + (h.suffix ?? ''), code } });
}

/**
 * Shapes an error from execution for a role: Hasura's code and path; the database's own words and the
 * statement only for admin, never a stack trace.
 */
export function executionError(err: GraphQLError, admin: boolean): GraphQLError {
  const original = err.originalError;
  let hasura: HasuraError;
  if (original instanceof HasuraError) hasura = original;
  else if (original instanceof DatabaseError) hasura = fromDatabase(original);
  else if (original && !(original instanceof GraphQLError)) hasura = new HasuraError('unexpected', admin ? original.message : 'unexpected error');
  else hasura = new HasuraError((err.extensions?.code as string | undefined) ?? 'unexpected', err.message);
  const fieldPath = err.path ? `$.${err.path.filter((p) => typeof p === 'string').map((p) => `selectionSet.${p}`).join('.')}` : '$';
  const path =
    hasura.path === undefined ? fieldPath
    : hasura.path.startsWith('@') ? fieldPath + hasura.path.slice(1)
    : hasura.path;
  return new GraphQLError(hasura.message, {
    extensions: { path, code: hasura.code, ...(admin && hasura.internal ? { internal: hasura.internal } : {}) },
  });
}
