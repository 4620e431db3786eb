import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import type { Database } from '../../db/index.ts';
import { readCatalog } from './catalog.ts';
import { buildSchema } from './schema.ts';

/** The GraphQL engine: a schema generated from the database catalog, regenerated after migrations or DDL. */
export interface GraphqlEngine {
  readonly schema: GraphQLSchema;
  /** Re-reads the catalog (after a migration or a farm's own DDL) and swaps the schema in. */
  rebuild(): Promise<void>;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export async function createGraphqlEngine(db: Database): Promise<GraphqlEngine> {
  let schema = buildSchema(await readCatalog(db));
  const handler = createHandler({
    schema: () => schema,
    context: () => ({ db }),
  });
  return {
    get schema() {
      return schema;
    },
    async rebuild() {
      schema = buildSchema(await readCatalog(db));
    },
    handle: handler,
  };
}
