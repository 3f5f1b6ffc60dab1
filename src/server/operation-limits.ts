import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Operation limits (operation-limits-plugin.ts applies them right after parsing; Apollo keeps
 * validated documents, so a repeated query is not measured again). Every count is of the operation as it would execute, fragments
 * expanded: ten aliases in a fragment spread ten times are a hundred aliases. Each fragment is
 * measured once and its measure reused at every spread, so the walk is linear in the document
 * however deeply fragments nest (a walk that re-expands fragments doubles per nesting level).
 */
export interface OperationLimitSettings {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
}

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'directives' | 'introspectionDepth' | 'introspectionLists';

/**
 * Introspection is answered from the schema, synchronously and with no upstream call, so neither
 * demand control nor the execution timeout can stop it; what bounds it is its shape. A list field
 * of the introspection types (a type's fields, a field's args, ...) inside another multiplies the
 * answer, and `type { fields { type { fields ... } } }` would grow it exponentially. The standard
 * introspection query (GraphiQL, Apollo and codegen tools) nests three such lists (types, fields,
 * args) and about 14 levels (its TypeRef's ofType chain); these limits leave it room.
 */
export const INTROSPECTION_LIMITS = { maxDepth: 20, maxLists: 3 } as const;

/** The introspection fields that return lists of objects. */
const INTROSPECTION_LISTS = new Set(['types', 'fields', 'args', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'directives']);

/** What a selection set costs once expanded. */
interface Measure {
  /** Deepest chain of fields, introspection fields not counted. */
  depth: number;
  /** Deepest chain inside introspection (__schema, __type and below), every field counted. */
  introspectionDepth: number;
  /** Most introspection list fields nested along one chain. */
  introspectionLists: number;
  /** Deepest chain, every field counted; and most list-named fields along one chain (read under __schema / __type). */
  allDepth: number;
  lists: number;
  aliases: number;
  directives: number;
  /** Fields at this level (used for the operation's root). */
  fields: number;
}

const ZERO: Measure = { depth: 0, introspectionDepth: 0, introspectionLists: 0, allDepth: 0, lists: 0, aliases: 0, directives: 0, fields: 0 };

export function limitExceeded(limit: LimitName | 'bytes', max: number, actual: number, nodes?: readonly OperationDefinitionNode[]): GraphQLError {
  const what: Record<LimitName | 'bytes', string> = {
    depth: 'levels deep',
    aliases: 'aliased fields',
    rootFields: 'root fields',
    directives: 'directives',
    introspectionDepth: 'levels deep in introspection',
    introspectionLists: 'introspection lists nested',
    bytes: 'bytes long',
  };
  // Counts past the float range (a fragment bomb) are reported as "more than" the limit.
  const shown = Number.isFinite(actual) && actual < 1e15 ? String(actual) : `more than ${max}`;
  return new GraphQLError(`The operation is ${shown} ${what[limit]}; the limit is ${max}`, {
    nodes,
    extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit, max, actual: Number.isFinite(actual) ? actual : null },
  });
}

/** Measures every operation of a document, fragments once each. */
export function measureOperations(document: DocumentNode): Map<OperationDefinitionNode, Measure> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measured = new Map<string, Measure>();
  const inProgress = new Set<string>();

  const fragmentMeasure = (name: string): Measure => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown fragments and cycles are other rules' errors; they cost nothing here.
    if (!fragment || inProgress.has(name)) return ZERO;
    inProgress.add(name);
    const measure = setMeasure(fragment.selectionSet);
    inProgress.delete(name);
    measure.directives += fragment.directives?.length ?? 0;
    measured.set(name, measure);
    return measure;
  };

  const setMeasure = (set: SelectionSetNode | undefined): Measure => {
    const total: Measure = { ...ZERO };
    if (!set) return total;
    for (const selection of set.selections) {
      total.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const inner = setMeasure(selection.selectionSet);
        const name = selection.name.value;
        const introspection = name.startsWith('__');
        total.depth = Math.max(total.depth, introspection ? 0 : 1 + inner.depth);
        total.allDepth = Math.max(total.allDepth, 1 + inner.allDepth);
        total.lists = Math.max(total.lists, inner.lists + (INTROSPECTION_LISTS.has(name) && selection.selectionSet ? 1 : 0));
        // __schema and __type open introspection: what is below them is measured by its own limits.
        const opened = introspection ? { depth: 1 + inner.allDepth, lists: inner.lists } : { depth: 0, lists: 0 };
        total.introspectionDepth = Math.max(total.introspectionDepth, inner.introspectionDepth, opened.depth);
        total.introspectionLists = Math.max(total.introspectionLists, inner.introspectionLists, opened.lists);
        total.aliases += inner.aliases + (selection.alias ? 1 : 0);
        total.directives += inner.directives;
        total.fields += 1;
      } else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? setMeasure(selection.selectionSet) : fragmentMeasure(selection.name.value);
        total.depth = Math.max(total.depth, inner.depth);
        total.allDepth = Math.max(total.allDepth, inner.allDepth);
        total.lists = Math.max(total.lists, inner.lists);
        total.introspectionDepth = Math.max(total.introspectionDepth, inner.introspectionDepth);
        total.introspectionLists = Math.max(total.introspectionLists, inner.introspectionLists);
        total.aliases += inner.aliases;
        total.directives += inner.directives;
        total.fields += inner.fields;
      }
    }
    return total;
  };

  const out = new Map<OperationDefinitionNode, Measure>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const measure = setMeasure(def.selectionSet);
    measure.directives += def.directives?.length ?? 0;
    out.set(def, measure);
  }
  return out;
}
