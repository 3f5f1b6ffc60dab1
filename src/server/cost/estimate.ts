import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ACCESS_COSTS } from './access-costs.js';
import { CHANGE_COSTS } from './change-costs.js';
import { DRIFT_COSTS } from './drift-costs.js';
import { FIELD_COSTS, type Args, type CostContext, type Scope } from './field-costs.js';
import { MUTATION_COSTS } from './mutation-costs.js';
import { ENTITY_COSTS } from './entity-costs.js';
import type { PlatformSizes } from './platform-sizes.js';
import { Tally } from './tally.js';

/**
 * Types are told apart by shape, not instanceof: the schema may come from another copy of
 * graphql-js than this file's (Apollo's CommonJS one, under a bundler's ESM one).
 */
interface FieldsOwner {
  name: string;
  getFields(): Record<string, GraphQLField<unknown, unknown>>;
  getInterfaces(): ReadonlyArray<{ name: string }>;
}

function fieldsOwner(type: GraphQLNamedType | undefined | null): FieldsOwner | null {
  return type && 'getFields' in type && 'getInterfaces' in type ? (type as unknown as FieldsOwner) : null;
}

function namedTypeName(type: GraphQLType): string {
  let inner: GraphQLType = type;
  while ('ofType' in inner && inner.ofType) inner = inner.ofType as GraphQLType;
  return (inner as GraphQLNamedType).name;
}

/** A table's own entry: names from a request ("__proto__", "constructor") must not reach Object.prototype. */
function ownEntry<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Demand control's estimate of one operation, before it runs. */
export interface CostEstimate {
  /** Upstream calls on a cold cache (repeats within the TTL cost fewer, often none). */
  upstreamCalls: number;
  /** Fields of the answer, each instance counted. */
  resultFields: number;
}

export interface EstimateInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  sizes: PlatformSizes;
  rootOrgId: string;
  singleGetLimit: number;
}

/**
 * Walks the operation as it would execute, multiplying each field's cost by the number of
 * parent objects it runs for (FIELD_COSTS says how many objects each field yields). A fragment
 * is walked once per (type, scope) and its tally reused at every further spread, so hostile
 * documents that spread one fragment many times cost the estimator little.
 */
export function estimateCost(input: EstimateInput): CostEstimate {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of input.document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const cx: CostContext = { sizes: input.sizes, rootOrgId: input.rootOrgId, singleGetLimit: input.singleGetLimit, tally: new Tally() };
  const memo = new Map<string, Tally>();
  // Variables the caller left out take their declared defaults, as execution will.
  const variables: Record<string, unknown> = { ...input.variables };
  for (const def of input.operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (variables[name] === undefined && def.defaultValue) variables[name] = valueFromASTUntyped(def.defaultValue);
  }
  const inProgress = new Set<string>();

  const argsOf = (field: FieldNode): Args => {
    const args: Args = {};
    for (const arg of field.arguments ?? []) {
      const value = valueFromASTUntyped(arg.value, variables);
      // A variable sent as null or left unset is an argument left out: the field's default applies.
      if (value !== undefined) args[arg.name.value] = value;
    }
    return args;
  };

  /** Walks `set` for objects of `typeName` in `scope`, into cx.tally. */
  const walk = (set: SelectionSetNode | undefined, typeName: string, scope: Scope): void => {
    if (!set || scope.n <= 0) return;
    const type = fieldsOwner(input.schema.getType(typeName));
    if (!type) return;
    const fieldDefs = type.getFields();
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value;
        if (!on || on === typeName || type.getInterfaces().some((i) => i.name === on)) walk(selection.selectionSet, typeName, scope);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        spread(selection.name.value, typeName, scope);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      // A connection's fields are there once per connection; what is inside nodes and edges, n times.
      const perConnection = scope.connections !== undefined && name !== 'nodes' && name !== 'edges';
      cx.tally.fields += scope.connections ?? scope.n;
      if (perConnection) {
        if (selection.selectionSet) walk(selection.selectionSet, namedTypeName(fieldDefs[name]!.type), { n: scope.connections! });
        continue;
      }
      const def = fieldDefs[name];
      if (!def) continue;
      const args = argsOf(selection);
      for (const arg of def.args) if (!(arg.name in args) && arg.defaultValue !== undefined) args[arg.name] = arg.defaultValue;
      const key = `${typeName}.${name}`;
      if (key === 'Query._entities') {
        entities(selection, args);
        continue;
      }
      const cost = typeName === 'Mutation' ? ownEntry(MUTATION_COSTS, name) : (ownEntry(FIELD_COSTS, key) ?? ownEntry(ACCESS_COSTS, key) ?? ownEntry(CHANGE_COSTS, key) ?? ownEntry(DRIFT_COSTS, key));
      const child = cost ? cost(scope, args, cx) : { n: scope.n, org: scope.org, env: scope.env, teams: scope.teams, all: scope.all, listed: scope.listed };
      if (child && selection.selectionSet) walk(selection.selectionSet, namedTypeName(def.type), child);
    }
  };

  const spread = (name: string, typeName: string, scope: Scope): void => {
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return;
    const on = fragment.typeCondition.name.value;
    const type = fieldsOwner(input.schema.getType(typeName));
    if (on !== typeName && !type?.getInterfaces().some((i) => i.name === on)) return;
    const key = `${name}|${typeName}|${scope.n}|${scope.org ?? ''}|${scope.env ?? ''}|${scope.teams?.join(',') ?? ''}|${scope.all ? 1 : 0}|${scope.listed ? 1 : 0}|${scope.connections ?? ''}`;
    let tally = memo.get(key);
    if (!tally) {
      // Walk into a tally of its own, so the result can be added again at the next spread.
      const outer = cx.tally;
      cx.tally = new Tally();
      inProgress.add(name);
      walk(fragment.selectionSet, typeName, scope);
      inProgress.delete(name);
      tally = cx.tally;
      cx.tally = outer;
      memo.set(key, tally);
    }
    cx.tally.merge(tally);
  };

  /** _entities: each representation's type resolves in batches per type (ENTITY_COSTS). */
  const entities = (field: FieldNode, args: Args): void => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    const byType = new Map<string, Array<Record<string, unknown>>>();
    for (const rep of representations) {
      if (!rep || typeof rep !== 'object') continue;
      const typename = String((rep as { __typename?: unknown }).__typename);
      const group = byType.get(typename);
      if (group) group.push(rep as Record<string, unknown>);
      else byType.set(typename, [rep as Record<string, unknown>]);
    }
    for (const [typename, reps] of byType) {
      const scope = ownEntry(ENTITY_COSTS, typename)?.(reps, cx);
      if (scope) walk(field.selectionSet, typename, scope);
    }
  };

  walk(input.operation.selectionSet, input.operation.operation === 'mutation' ? 'Mutation' : 'Query', { n: 1 });
  return { upstreamCalls: cx.tally.total(input.sizes, input.singleGetLimit), resultFields: Math.ceil(cx.tally.fields) };
}
