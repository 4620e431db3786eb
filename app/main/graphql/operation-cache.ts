import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';

/**
 * Values kept per role's schema and parsed operation, by a string key (the variables' values, for example): the
 * most recently used `perOperation` of each operation are kept, and a key longer than `maxKey` is not kept at
 * all. Both outer maps are weak, so a schema rebuilt after DDL or a permission change, or a document no longer
 * cached, takes its values with it.
 */
export class OperationCache<V> {
  readonly #bySchema = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Map<string, V>>>();

  constructor(
    private readonly perOperation = 256,
    private readonly maxKey = 4096,
  ) {}

  get(schema: GraphQLSchema, op: OperationDefinitionNode, key: string): V | undefined {
    const values = this.#bySchema.get(schema)?.get(op);
    const value = values?.get(key);
    if (value !== undefined) {
      values!.delete(key); // most recently used last
      values!.set(key, value);
    }
    return value;
  }

  set(schema: GraphQLSchema, op: OperationDefinitionNode, key: string, value: V): void {
    if (key.length > this.maxKey) return;
    let byOperation = this.#bySchema.get(schema);
    if (!byOperation) this.#bySchema.set(schema, (byOperation = new WeakMap()));
    let values = byOperation.get(op);
    if (!values) byOperation.set(op, (values = new Map()));
    values.set(key, value);
    if (values.size > this.perOperation) values.delete(values.keys().next().value!);
  }
}
