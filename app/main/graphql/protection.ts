import { GraphQLError, Kind, NoSchemaIntrospectionCustomRule, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { DEFAULT_LIMITS, type RolePermissions } from './permissions.ts';

/**
 * Checks that run before a request of a non-admin role executes: query depth, number of aliases, and (in the
 * engine, per statement) the planner's estimated cost. Introspection can be switched off per role.
 */
export function protectionRules(perms: RolePermissions): ValidationRule[] {
  if (perms.admin) return [];
  const maxDepth = perms.limits.maxDepth ?? DEFAULT_LIMITS.maxDepth;
  const maxAliases = perms.limits.maxAliases ?? DEFAULT_LIMITS.maxAliases;
  const rules: ValidationRule[] = [depthRule(maxDepth), aliasRule(maxAliases)];
  if (!perms.limits.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const out = new Map<string, FragmentDefinitionNode>();
  for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out.set(d.name.value, d);
  return out;
}

/** Depth of a selection set: a field with a selection set counts one more level; fragments are followed once. */
function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue; // introspection has its own depth; __typename is free
      max = Math.max(max, 1 + depthOf(sel.selectionSet, fragments, seen));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const frag = fragments.get(sel.name.value);
      if (!frag || seen.has(frag.name.value)) continue;
      max = Math.max(max, depthOf(frag.selectionSet, fragments, new Set([...seen, frag.name.value])));
    }
  }
  return max;
}

function depthRule(limit: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, fragmentsOf(context), new Set());
      if (depth > limit) {
        context.reportError(new GraphQLError(`the query's depth ${depth} exceeds the limit of ${limit} for this role`, { nodes: [node], extensions: { code: 'validation-failed' } }));
      }
    },
  });
}

function countAliases(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) n += (sel.alias ? 1 : 0) + countAliases(sel.selectionSet, fragments, seen);
    else if (sel.kind === Kind.INLINE_FRAGMENT) n += countAliases(sel.selectionSet, fragments, seen);
    else {
      const frag = fragments.get(sel.name.value);
      // A fragment spread twice is executed twice: its aliases count each time.
      if (frag && !seen.has(frag.name.value)) n += countAliases(frag.selectionSet, fragments, new Set([...seen, frag.name.value]));
    }
  }
  return n;
}

function aliasRule(limit: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(node) {
      const n = countAliases(node.selectionSet, fragmentsOf(context), new Set());
      if (n > limit) {
        context.reportError(new GraphQLError(`the query uses ${n} aliases, more than the limit of ${limit} for this role`, { nodes: [node], extensions: { code: 'validation-failed' } }));
      }
    },
  });
}

/** The planner's estimated total cost of a statement, from `EXPLAIN (FORMAT JSON)` (no execution). */
export function plannedCost(plan: unknown): number {
  const p = (Array.isArray(plan) ? plan[0] : typeof plan === 'string' ? (JSON.parse(plan) as unknown[])[0] : plan) as { Plan?: { 'Total Cost'?: number } };
  return p?.Plan?.['Total Cost'] ?? 0;
}
