import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { getOperationAST, GraphQLError, parse, validate, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log.ts';
import { validationError } from './errors.ts';
import { RESULT_JSON } from './live.ts';
import type { OperationRequest, SessionContext } from './types.ts';

/** The engine's side of the WebSocket endpoint. */
export interface GraphqlWsEngine {
  execute(req: OperationRequest): Promise<ExecutionResult>;
  subscribe(req: OperationRequest): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  /** The schema a role may use; undefined for a role the office does not know. */
  schemaFor(role: string): GraphQLSchema | undefined;
}

export interface GraphqlWsOptions {
  /** The only path upgraded, e.g. `/v1/graphql` (the same as GraphQL over HTTP, as Hasura does). */
  path: string;
  engine: GraphqlWsEngine;
  /** Who a connection runs as, from its upgrade request and connection_init's payload; throwing refuses it (4403). */
  contextFor(request: http.IncomingMessage, connectionParams: Record<string, unknown> | undefined): SessionContext | Promise<SessionContext>;
  log: Logger;
}

/** Larger messages close the socket: a GraphQL document and its variables are far smaller. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** On close: how long clients get to answer the close handshake before their sockets are cut. */
const CLOSE_GRACE_MS = 500;

/**
 * Serves GraphQL over WebSocket (the `graphql-transport-ws` protocol, as graphql-ws and Hasura's clients
 * speak it) on `path` of an HTTP server: queries and mutations run once, subscriptions stream. Each operation
 * is validated against the schema of the connection's role.
 */
export function attachGraphqlWs(server: http.Server, options: GraphqlWsOptions): { close(): Promise<void> } {
  const { engine, log } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  // The session of each connection, settled once at connection_init (graphql-ws's ctx is per connection).
  const sessions = new WeakMap<object, SessionContext>();

  const toRequest = (args: ExecutionArgs): OperationRequest => ({
    query: args.document,
    variables: (args.variableValues ?? null) as Record<string, unknown> | null,
    operationName: args.operationName ?? null,
    context: args.contextValue as SessionContext,
  });
  // An exception in the engine ends that operation with a bare error (logged here), never the connection and
  // the other subscriptions on it: graphql-ws would close the socket on a throw.
  const internalError = () => new GraphQLError('Internal server error', { extensions: { code: 'unexpected' } });
  const failed = (what: string, err: unknown): ExecutionResult => {
    log.error(`graphql-ws ${what} failed`, { err: err as Error });
    return { errors: [internalError()] };
  };

  /** Execution arguments for one operation of a connection, or the errors the client gets instead. */
  function prepare(context: SessionContext | undefined, payload: SubscribePayload): ExecutionArgs | GraphQLError[] {
    if (!context) return [new GraphQLError('the connection has no session', { extensions: { code: 'access-denied' } })];
    const schema = engine.schemaFor(context.role);
    if (!schema) return [new GraphQLError(`unknown role "${context.role}"`, { extensions: { code: 'access-denied' } })];
    // Errors worded and coded as over HTTP (Hasura's), sent as the protocol's `error` message.
    let document;
    try {
      document = parse(payload.query);
    } catch (err) {
      if (err instanceof GraphQLError) return [validationError(err)];
      throw err;
    }
    const errors = validate(schema, document);
    if (errors.length) return errors.map((e) => validationError(e, document));
    // graphql-js 16 does not validate this: a role without mutations would otherwise fail at execution.
    const operation = getOperationAST(document, payload.operationName)?.operation;
    if (operation && !schema.getRootType(operation)) {
      return [new GraphQLError(`no ${operation}s exist`, { extensions: { path: '$', code: 'validation-failed' } })];
    }
    return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue: context };
  }

  const disposable = useServer(
    {
      async onConnect(ctx) {
        try {
          sessions.set(ctx, await options.contextFor(ctx.extra.request, ctx.connectionParams));
          return true;
        } catch (err) {
          // A missing or bad token (issue 5): closed with 4403 Forbidden, as graphql-ws refuses a connection.
          log.warn('graphql-ws connection refused', { reason: (err as Error).message });
          return false;
        }
      },
      onSubscribe(ctx, _id, payload) {
        try {
          return prepare(sessions.get(ctx), payload);
        } catch (err) {
          log.error('graphql-ws subscribe failed', { err: err as Error });
          return [internalError()];
        }
      },
      async execute(args) {
        try {
          return await engine.execute(toRequest(args));
        } catch (err) {
          return failed('operation', err);
        }
      },
      async subscribe(args) {
        try {
          const results = await engine.subscribe(toRequest(args));
          return Symbol.asyncIterator in results ? preserialized(results) : results;
        } catch (err) {
          return failed('subscription', err);
        }
      },
      // graphql-ws serialises errors with toJSON(); accept plain formatted errors from the engine as well.
      onNext(_ctx, _id, _payload, _args, result): FormattedExecutionResult | void {
        if (!result.errors?.some((e) => typeof (e as Partial<GraphQLError>).toJSON !== 'function')) return;
        const errors = result.errors.map((e) => (typeof (e as Partial<GraphQLError>).toJSON === 'function' ? e.toJSON() : e));
        return { ...result, errors } as FormattedExecutionResult;
      },
    },
    wss,
  );

  // Fifty dashboards on one live query get the same result: its JSON text (made once by the hub) goes into each
  // socket's message through a placeholder, instead of graphql-ws serialising the result fifty times.
  const texts = new Map<string, string>();
  let nextText = 0;
  function preserialized(results: AsyncGenerator<ExecutionResult>): AsyncGenerator<ExecutionResult> {
    const wrap = (r: IteratorResult<ExecutionResult>): IteratorResult<ExecutionResult> => {
      const json = r.done ? undefined : (r.value as { [RESULT_JSON]?: string })[RESULT_JSON];
      if (json === undefined) return r;
      const marker = `\u0000ysjson:${nextText++}`;
      texts.set(JSON.stringify(marker), json);
      if (texts.size > 1024) texts.delete(texts.keys().next().value!);
      return { done: false, value: { toJSON: () => marker } as unknown as ExecutionResult };
    };
    const generator: AsyncGenerator<ExecutionResult> = {
      next: async () => wrap(await results.next()),
      return: (v) => results.return(v),
      throw: (e) => results.throw(e),
      [Symbol.asyncIterator]: () => generator,
    };
    return generator;
  }
  wss.on('connection', (ws) => {
    const send = ws.send.bind(ws) as (data: unknown, cb?: (err?: Error) => void) => void;
    ws.send = ((data: unknown, cb?: (err?: Error) => void) => {
      if (typeof data === 'string' && data.includes('\\u0000ysjson:')) {
        data = data.replace(/"\\u0000ysjson:\d+"/g, (m) => texts.get(m) ?? m);
      }
      send(data, cb);
    }) as typeof ws.send;
  });

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', 'http://office').pathname;
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    if (pathname !== options.path) {
      // Another path may be someone else's upgrade; with no one else listening, say so instead of hanging.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    // Browsers let any page open a WebSocket to loopback (no CORS for WebSockets): only the office's own
    // pages, and clients that are not browsers (no Origin), may connect.
    if (!sameOrigin(request)) {
      log.warn('graphql-ws upgrade refused: cross-origin', { origin: request.headers.origin });
      refuse(socket, 403, 'Forbidden');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        server.off('upgrade', onUpgrade);
        const open = [...wss.clients];
        const closed = Promise.all(open.map((ws) => (ws.readyState === ws.CLOSED ? undefined : new Promise((resolve) => ws.once('close', resolve)))));
        // Ends every subscription (1001 Going Away) and waits for the sockets; a client that does not answer
        // the close handshake is cut after a short grace.
        const disposed = disposable.dispose();
        await Promise.race([closed, delay(CLOSE_GRACE_MS, undefined, { ref: false })]);
        for (const ws of wss.clients) ws.terminate();
        await disposed;
      })()),
  };
}

function sameOrigin(request: http.IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/**
 * The session of a WebSocket connection as Hasura reads it: the upgrade request's headers, overridden by
 * `headers` in connection_init's payload (browsers cannot set headers on a WebSocket).
 */
export function headersOf(request: http.IncomingMessage, connectionParams: Record<string, unknown> | undefined): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = { ...request.headers };
  const extra = connectionParams?.headers;
  if (extra && typeof extra === 'object') {
    for (const [name, value] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
  }
  return headers;
}
