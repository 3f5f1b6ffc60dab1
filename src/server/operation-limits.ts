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

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'directives';

/** What a selection set costs once expanded. */
interface Measure {
  /** Deepest chain of fields, introspection fields not counted. */
  depth: number;
  aliases: number;
  directives: number;
  /** Fields at this level (used for the operation's root). */
  fields: number;
}

const ZERO: Measure = { depth: 0, aliases: 0, directives: 0, fields: 0 };

export function limitExceeded(limit: LimitName | 'bytes', max: number, actual: number, nodes?: readonly OperationDefinitionNode[]): GraphQLError {
  const what: Record<LimitName | 'bytes', string> = {
    depth: 'levels deep',
    aliases: 'aliased fields',
    rootFields: 'root fields',
    directives: 'directives',
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
    const total: Measure = { depth: 0, aliases: 0, directives: 0, fields: 0 };
    if (!set) return total;
    for (const selection of set.selections) {
      total.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const inner = setMeasure(selection.selectionSet);
        const introspection = selection.name.value.startsWith('__');
        total.depth = Math.max(total.depth, introspection ? 0 : 1 + inner.depth);
        total.aliases += inner.aliases + (selection.alias ? 1 : 0);
        total.directives += inner.directives;
        total.fields += 1;
      } else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? setMeasure(selection.selectionSet) : fragmentMeasure(selection.name.value);
        total.depth = Math.max(total.depth, inner.depth);
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
