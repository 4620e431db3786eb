import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  execute as graphqlExecute,
  getDirectiveValues,
  getOperationAST,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { createHandler, type Request as GraphqlHttpRequest } from 'graphql-http';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import type { Database, Queryable } from '../../db/index.ts';
import { silentLogger, type Logger } from '../log.ts';
import { readCatalog, type Catalog, type TableInfo } from './catalog.ts';
import { resolveRoot, type EngineContext } from './compile.ts';
import { executionError, HasuraError, validationError } from './errors.ts';
import { LiveQueryHub } from './live.ts';
import { OperationCache } from './operation-cache.ts';
import { ADMIN_PERMISSIONS, DEFAULT_LIMITS, loadPermissions, type RolePermissions } from './permissions.ts';
import { plannedCost, protectionRules } from './protection.ts';
import { buildSchema, type FieldExtensions } from './schema.ts';
import { ADMIN_ROLE, isAdminRole, sessionFromHeaders, type ChangeFeed, type OperationRequest, type SessionContext } from './types.ts';

/** The GraphQL engine: schemas generated from the database catalog and the roles' permissions. */
export interface GraphqlEngine {
  /** The admin role's schema. */
  readonly schema: GraphQLSchema;
  /** The schema one role sees (built on first use, cached until the next rebuild). */
  schemaFor(role: string): GraphQLSchema;
  /** Re-reads the catalog and the permissions (after a migration, DDL or a metadata change). */
  rebuild(): Promise<void>;
  /** Runs a query or mutation (a request's mutations in one transaction). */
  execute(req: OperationRequest): Promise<ExecutionResult>;
  /** Starts a subscription: a live query pushed when its tables change, or a stream of new rows. */
  subscribe(req: OperationRequest): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  /** GraphQL over HTTP (graphql-http) on /v1/graphql. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): void;
}

export interface GraphqlEngineOptions {
  log?: Logger;
  /** Changes of the office's data (ingest, CLI, …) that live queries follow. */
  feed?: ChangeFeed;
  /** Told which tables a committed mutation changed. */
  onWrite?: (tables: ReadonlySet<string>) => void;
  /**
   * Who an HTTP request is, from its headers (issue 5: a JWT, an API token or the admin secret). Throws an error
   * with a Hasura `code` (invalid-jwt, invalid-headers, access-denied) to refuse it. Without it, the headers are
   * trusted as Hasura trusts an admin's (x-hasura-role picks the role).
   */
  authenticate?: (headers: Record<string, string | string[] | undefined>) => Promise<SessionContext>;
}

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** What runRaw needs of an operation before its statements run (see readyOperation). */
interface ReadyOperation {
  fragments: Record<string, FragmentDefinitionNode>;
  variableValues: Record<string, unknown>;
  fields: Map<string, FieldNode[]>;
  /** A root field's arguments, coerced on first use. */
  argumentsOf(key: string, def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown>;
}

/** The root fields an operation selects, fragments and @skip/@include applied; undefined if one is not compiled. */
function rootFields(
  rootType: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  out = new Map<string, FieldNode[]>(),
): Map<string, FieldNode[]> | undefined {
  for (const sel of set.selections) {
    if (getDirectiveValues(GraphQLSkipDirective, sel, variables)?.if === true) continue;
    if (getDirectiveValues(GraphQLIncludeDirective, sel, variables)?.if === false) continue;
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      if (name !== '__typename' && !(rootType.getFields()[name]?.extensions as FieldExtensions | undefined)?.root) return undefined;
      const key = sel.alias?.value ?? name;
      out.set(key, [...(out.get(key) ?? []), sel]);
    } else {
      const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : fragments[sel.name.value]?.selectionSet;
      if (!inner || !rootFields(rootType, inner, fragments, variables, out)) return undefined;
    }
  }
  return out;
}

class Rollback extends Error {
  constructor(readonly result: ExecutionResult) {
    super('rolled back');
  }
}

export async function createGraphqlEngine(db: Database, options: GraphqlEngineOptions = {}): Promise<GraphqlEngine> {
  const log = options.log ?? silentLogger;
  let catalog: Catalog;
  let tables: Map<string, TableInfo>;
  let roles: Map<string, RolePermissions>;
  let schemas = new Map<string, GraphQLSchema>();
  const load = async () => {
    const nextCatalog = await readCatalog(db);
    const nextRoles = await loadPermissions(db, nextCatalog, (message) => log.warn(message));
    catalog = nextCatalog;
    tables = new Map(catalog.tables.map((t) => [t.name, t]));
    roles = nextRoles;
    schemas = new Map();
  };
  await load();

  const permissionsOf = (role: string): RolePermissions =>
    isAdminRole(role) ? ADMIN_PERMISSIONS : (roles.get(role) ?? { role, admin: false, tables: new Map(), limits: { introspection: true } });
  const schemaFor = (role: string): GraphQLSchema => {
    let s = schemas.get(role);
    if (!s) schemas.set(role, (s = buildSchema(catalog, permissionsOf(role))));
    return s;
  };
  const hub = options.feed ? new LiveQueryHub(options.feed, log) : undefined;

  function contextFor(session: SessionContext, q: Queryable, cursors?: Map<string, unknown>): EngineContext {
    const perms = permissionsOf(session.role);
    const maxCost = perms.limits.maxCost ?? DEFAULT_LIMITS.maxCost;
    const ctx: EngineContext = {
      db: q,
      perms,
      session: session.session,
      tables,
      read: new Set(),
      written: new Set(),
      cursors,
      async run(sql, params) {
        if (!perms.admin) {
          // The planner's estimate, before anything runs: PGlite cannot interrupt a running statement, so this
          // is what keeps an expensive request of a remote role from holding the one connection.
          const { rows } = await ctx.db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
          const cost = plannedCost(rows[0]?.['QUERY PLAN']);
          if (cost > maxCost) throw new HasuraError('validation-failed', `the estimated cost of the query (${Math.round(cost)}) exceeds the limit of ${maxCost} for this role`);
        }
        // A prepared statement per compiled text: a dashboard sends the same few shapes with other values.
        return (await ctx.db.queryText(sql, params))[0]?.[0];
      },
    };
    return ctx;
  }

  function validateFor(schema: GraphQLSchema, document: DocumentNode, perms: RolePermissions): GraphQLError[] {
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION || schema.getRootType(def.operation)) continue;
      // A role that may change nothing has no mutation root: say so as Hasura does.
      return [new GraphQLError(`no ${def.operation}s exist`, { extensions: { path: '$', code: 'validation-failed' } })];
    }
    const errors = validate(schema, document, [...specifiedRules, ...protectionRules(perms)]).map((e) => validationError(e, document));
    // Introspection switched off is one refusal, not one error per introspection field.
    const refused = errors.find((e) => e.extensions.code === 'not-supported');
    return refused ? [refused] : errors;
  }

  function shape(result: ExecutionResult, admin: boolean): ExecutionResult {
    // Hasura answers a request with an error with the errors only: no partial data.
    if (result.errors?.length) return { errors: result.errors.map((e) => executionError(e, admin)) };
    return result;
  }

  /** Runs validated execution arguments: a mutation in one transaction, a query of a limited role with its timeout. */
  async function run(args: ExecutionArgs, session: SessionContext, cursors?: Map<string, unknown>): Promise<{ result: ExecutionResult; ctx?: EngineContext }> {
    const perms = permissionsOf(session.role);
    const op = getOperationAST(args.document, args.operationName);
    const timeout = perms.admin ? undefined : (perms.limits.statementTimeoutMs ?? DEFAULT_LIMITS.statementTimeoutMs);
    const setTimeout = async (q: Queryable) => {
      // A PostgreSQL server cancels a statement that runs too long; PGlite cannot (see the cost check above).
      if (timeout && db.kind === 'postgres') await q.query(`SELECT set_config('statement_timeout', $1, true)`, [`${timeout}ms`]);
    };
    if (op?.operation === 'mutation' || (timeout && db.kind === 'postgres')) {
      let ctx: EngineContext | undefined;
      try {
        const result = await db.transaction(async (tx) => {
          await setTimeout(tx);
          ctx = contextFor(session, tx, cursors);
          const r = await graphqlExecute({ ...args, contextValue: ctx });
          if (r.errors?.length) throw new Rollback(r);
          return r;
        });
        if (ctx?.written.size) options.onWrite?.(ctx.written);
        return { result: shape(result, perms.admin), ctx };
      } catch (err) {
        if (err instanceof Rollback) return { result: shape(err.result, perms.admin) };
        throw err;
      }
    }
    const ctx = contextFor(session, db, cursors);
    return { result: shape(await graphqlExecute({ ...args, contextValue: ctx }), perms.admin), ctx };
  }

  /** Parses and validates a request for its role; an ExecutionResult when it cannot run. */
  function prepare(req: OperationRequest): ExecutionArgs | ExecutionResult {
    let document: DocumentNode;
    try {
      document = typeof req.query === 'string' ? parseCached(req.query) : req.query;
    } catch (err) {
      return { errors: [validationError(err as GraphQLError)] };
    }
    const schema = schemaFor(req.context.role);
    const errors = validateCached(schema, document, permissionsOf(req.context.role));
    if (errors.length) return { errors };
    return { schema, document, variableValues: req.variables ?? undefined, operationName: req.operationName ?? undefined };
  }

  // Parsed documents by query text, and validation results per schema (a schema is one role's): a dashboard
  // sends the same few queries again and again.
  const documents = new Map<string, DocumentNode>();
  const parseCached = (query: string): DocumentNode => {
    let doc = documents.get(query);
    if (doc) {
      documents.delete(query);
      documents.set(query, doc);
      return doc;
    }
    doc = parse(query);
    if (query.length <= 20_000) {
      documents.set(query, doc);
      if (documents.size > 500) documents.delete(documents.keys().next().value!);
    }
    return doc;
  };
  const validations = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, GraphQLError[]>>();
  const validateCached = (schema: GraphQLSchema, document: DocumentNode, perms: RolePermissions): GraphQLError[] => {
    let bySchema = validations.get(schema);
    if (!bySchema) validations.set(schema, (bySchema = new WeakMap()));
    let errors = bySchema.get(document);
    if (!errors) bySchema.set(document, (errors = validateFor(schema, document, perms)));
    return errors;
  };

  /**
   * An operation's variables coerced, its root fields collected and their arguments coerced: all three follow
   * from the document, the role's schema and the variables as sent, so a query sent again with the same
   * variables (a dashboard's refresh) reuses them; ~0.05 ms of a 2 ms request on our 2-core machines. Kept for
   * queries only (a mutation runs its statements from the arguments each time anyway); nothing downstream
   * changes the values kept.
   */
  const readyQueries = new OperationCache<ReadyOperation>();
  function readyOperation(args: ExecutionArgs, op: OperationDefinitionNode, rootType: GraphQLObjectType): ReadyOperation | { errors: GraphQLError[] } | undefined {
    const key = op.operation === 'query' ? JSON.stringify(args.variableValues ?? null) : undefined;
    const found = key === undefined ? undefined : readyQueries.get(args.schema, op, key);
    if (found) return found;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of args.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const coerced = getVariableValues(args.schema, op.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>);
    if (coerced.errors) return { errors: coerced.errors.map((e) => validationError(e, args.document)) };
    const variableValues = coerced.coerced;
    const fields = rootFields(rootType, op.selectionSet, fragments, variableValues);
    if (!fields) return undefined;
    const argumentValues = new Map<string, Record<string, unknown>>();
    const ready: ReadyOperation = {
      fragments,
      variableValues,
      fields,
      argumentsOf: (fieldKey, def, node) => {
        let values = argumentValues.get(fieldKey);
        if (!values) argumentValues.set(fieldKey, (values = getArgumentValues(def, node, variableValues)));
        return values;
      },
    };
    if (key !== undefined) readyQueries.set(args.schema, op, key, ready);
    return ready;
  }

  /**
   * Runs a query or mutation whose root fields are all compiled fields without graphql-js's executor: each root
   * field's statement answers JSON text, spliced into the response as it is. undefined when the operation needs
   * the executor (introspection at the root).
   */
  async function runRaw(args: ExecutionArgs, session: SessionContext): Promise<{ result: ExecutionResult; raw?: Map<string, string> } | undefined> {
    const op = getOperationAST(args.document, args.operationName);
    if (!op || op.operation === 'subscription') return undefined;
    const rootType = args.schema.getRootType(op.operation);
    if (!rootType) return undefined;
    const ready = readyOperation(args, op, rootType);
    if (!ready) return undefined;
    if ('errors' in ready) return { result: { errors: ready.errors } };
    const { fragments, variableValues, fields, argumentsOf } = ready;
    const perms = permissionsOf(session.role);
    const answer = async (ctx: EngineContext) => {
      const raw = new Map<string, string>();
      for (const [key, nodes] of fields) {
        const name = nodes[0]!.name.value;
        if (name === '__typename') {
          raw.set(key, JSON.stringify(rootType.name));
          continue;
        }
        const def = rootType.getFields()[name]!;
        const root = (def.extensions as FieldExtensions).root!;
        const info = {
          fieldName: name,
          fieldNodes: nodes,
          returnType: def.type,
          parentType: rootType,
          path: { prev: undefined, key, typename: rootType.name },
          schema: args.schema,
          fragments,
          rootValue: undefined,
          operation: op,
          variableValues,
        } as unknown as GraphQLResolveInfo;
        try {
          const value = await resolveRoot(ctx, root.kind, root.table, argumentsOf(key, def, nodes[0]!), info);
          raw.set(key, (value as string | null) ?? 'null');
        } catch (err) {
          throw new Rollback({ errors: [new GraphQLError((err as Error).message, { originalError: err as Error, path: [key] })] });
        }
      }
      return raw;
    };
    try {
      if (op.operation === 'mutation' || (!perms.admin && db.kind === 'postgres')) {
        const timeout = perms.admin ? undefined : (perms.limits.statementTimeoutMs ?? DEFAULT_LIMITS.statementTimeoutMs);
        let ctx: EngineContext | undefined;
        const raw = await db.transaction(async (tx) => {
          if (timeout && db.kind === 'postgres') await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [`${timeout}ms`]);
          ctx = { ...contextFor(session, tx), raw: true };
          return answer(ctx);
        });
        if (ctx?.written.size) options.onWrite?.(ctx.written);
        return { result: {}, raw };
      }
      return { result: {}, raw: await answer({ ...contextFor(session, db), raw: true }) };
    } catch (err) {
      if (err instanceof Rollback) return { result: shape(err.result, perms.admin) };
      throw err;
    }
  }

  const execute = async (req: OperationRequest): Promise<ExecutionResult> => {
    const args = prepare(req);
    if (!('schema' in args)) return args;
    return (await run(args, req.context)).result;
  };

  const subscribe = async (req: OperationRequest): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const args = prepare(req);
    if (!('schema' in args)) return args;
    const op = getOperationAST(args.document, args.operationName);
    if (op?.operation !== 'subscription') return execute(req);
    if (!hub) return { errors: [new GraphQLError('subscriptions are not available', { extensions: { code: 'unexpected', path: '$' } })] };
    const rootName = op.selectionSet.selections.find((s) => s.kind === 'Field');
    const rootField = rootName && rootName.kind === 'Field' ? args.schema.getSubscriptionType()?.getFields()[rootName.name.value] : undefined;
    const kind = (rootField?.extensions as FieldExtensions | undefined)?.root?.kind;
    const read = new Set<string>();
    if (kind === 'stream') {
      const cursors = new Map<string, unknown>();
      return hub.watch({
        tables: read,
        onlyChanges: false,
        run: async () => {
          const { result, ctx } = await run(args, req.context, cursors);
          for (const t of ctx?.read ?? []) read.add(t);
          const rows = result.data ? Object.values(result.data)[0] : undefined;
          return Array.isArray(rows) && rows.length === 0 ? undefined : result;
        },
      });
    }
    return hub.watch({
      shareKey: JSON.stringify([req.context.role, req.context.session, typeof req.query === 'string' ? req.query : args.document.loc?.source.body, req.operationName ?? null, req.variables ?? null]),
      tables: read,
      onlyChanges: true,
      run: async () => {
        const { result, ctx } = await run(args, req.context);
        for (const t of ctx?.read ?? []) read.add(t);
        return result;
      },
    });
  };

  // graphql-http's core turns a request into [body, init]; the adapter below is ours so that it can limit the
  // body and splice the database's JSON text into the answer.
  const placeholders = new Map<string, string>();
  const markerPrefix = randomBytes(9).toString('base64url');
  let markerSeq = 0;
  const handler = createHandler<IncomingMessage, undefined, Record<string, unknown>>({
    context: async (req) => {
      const headers = req.headers as unknown as Record<string, string | string[] | undefined>;
      if (!options.authenticate) return { ...sessionFromHeaders(headers) };
      try {
        return { ...(await options.authenticate(headers)) };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== 'string') throw err;
        // Hasura answers an authentication failure on /v1/graphql with status 200 and one error at path $.
        return [JSON.stringify({ errors: [{ message: (err as Error).message, extensions: { code, path: '$' } }] }), { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json; charset=utf-8' } }];
      }
    },
    schema: (_req, args) => schemaFor((args.contextValue as unknown as SessionContext).role),
    parse: (source) => parseCached(typeof source === 'string' ? source : source.body),
    validate: (schema, document) => validateCached(schema, document, permissionsOf(currentRole(schema))),
    execute: async (args) => {
      const session = args.contextValue as unknown as SessionContext;
      const fast = await runRaw(args, session);
      if (!fast) return (await run(args, session)).result;
      if (!fast.raw) return fast.result;
      // Each root field's JSON text stands in the result as a unique placeholder string until the body is written:
      // a random prefix per engine (never sent) and a counter, so no text a client can send or store matches one.
      const data: Record<string, string> = {};
      for (const [key, text] of fast.raw) {
        const marker = `\u0000${markerPrefix}:${markerSeq++}`;
        data[key] = marker;
        placeholders.set(JSON.stringify(marker), text);
      }
      return { data };
    },
    formatError: (err) => {
      // Errors graphql-http raises itself (a document that does not parse, a request without a query).
      if (err instanceof GraphQLError && !err.extensions?.code) return validationError(err);
      return err;
    },
  });
  // graphql-http's validate hook is not given the request: the role is found from the schema it validates against.
  const currentRole = (schema: GraphQLSchema): string => {
    for (const [role, s] of schemas) if (s === schema) return role;
    return ADMIN_ROLE;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let tooLarge = false;
    const request: GraphqlHttpRequest<IncomingMessage, undefined> = {
      url: req.url ?? '/',
      method: req.method ?? 'GET',
      headers: req.headers as unknown as GraphqlHttpRequest<IncomingMessage, undefined>['headers'],
      // Read by events: the async iterator of a request costs ~0.1 ms per request on our 2-core machines, a
      // fifth of a small query's whole overhead. Beyond the limit the rest is read and dropped, and the
      // connection closed after the 413.
      body: () =>
        new Promise<string>((resolve, reject) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const onData = (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_REQUEST_BYTES) return void chunks.push(chunk);
            tooLarge = true;
            req.off('data', onData).off('end', onEnd);
            resolve('');
          };
          const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
          req.on('data', onData).on('end', onEnd).once('error', reject);
        }),
      raw: req,
      context: undefined,
    };
    let [body, init] = await handler(request);
    if (tooLarge) {
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(JSON.stringify({ errors: [{ message: `request body larger than ${MAX_REQUEST_BYTES} bytes`, extensions: { code: 'invalid-input', path: '$' } }] }));
      return;
    }
    if (typeof body === 'string' && body.includes('\\u0000')) {
      body = body.replace(/"\\u0000[A-Za-z0-9_-]{12}:\d+"/g, (m) => {
        const text = placeholders.get(m);
        if (text === undefined) return m;
        placeholders.delete(m);
        return text;
      });
    }
    // With its length the answer goes out without chunk framing, and a client can tell a whole answer from a cut one.
    const headers = { ...(init.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body ?? '')) };
    res.writeHead(init.status, init.statusText, headers).end(body);
  }

  return {
    get schema() {
      return schemaFor(ADMIN_ROLE);
    },
    schemaFor,
    async rebuild() {
      await load();
    },
    execute,
    subscribe,
    handle,
    close() {
      hub?.close();
    },
  };
}
