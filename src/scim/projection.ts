import { resolveAttribute } from './attribute-paths.js';
import { invalidValue } from './errors.js';
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type AttributeDefinition, type ResourceTypeName } from './schemas.js';

/**
 * Partial representations (RFC 7644 §3.4.2.5) under the `returned` rules of RFC 7643 §7:
 * - always (id) and `schemas` are kept, even when excluded;
 * - never (password, the accepted-and-ignored attributes) never appear;
 * - request (User.groups) appears only when named in `attributes`;
 * - default appears unless `attributes` leaves it out or `excludedAttributes` names it.
 * Names are resolved like filter paths: any case, URN-prefixed, `name.givenName`; a bare schema
 * URN stands for all of that schema's attributes.
 *
 * Unknown names are ignored, not refused. The parameters say what to return: an attribute this
 * server does not have has no value, so leaving it out is the true answer, and excluding it is a
 * no-op. Refusing would turn a harmless GET into a 400 for a client configured against another
 * server (an Entra app with a custom extension attribute in its mapping, say) for no gain.
 * Keys of the resource that /Schemas does not describe are not returned either: /Schemas is the
 * one account of what a resource holds.
 */
export interface ProjectionOptions {
  attributes?: readonly string[];
  excludedAttributes?: readonly string[];
}

/** A top-level attribute picked whole (true), or some of its sub-attributes. */
type Pick = true | Set<string>;
interface Picks {
  /** Schema ids named as a whole, lower-cased. */
  schemas: Set<string>;
  /** By `${container}|${attribute}`: container '' for the core schema and common attributes, else the extension id. */
  attributes: Map<string, Pick>;
}

const slot = (container: string, name: string) => `${container}|${name}`;

/** Resolves the names once; a list of resources projects with the same picks (see projector). */
function picks(type: ResourceTypeName, names: readonly string[]): Picks {
  const resourceType = RESOURCE_TYPES[type];
  const result: Picks = { schemas: new Set(), attributes: new Map() };
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    const lower = name.toLowerCase();
    const schema = [resourceType.core, ...resourceType.extensions].find((s) => s.id.toLowerCase() === lower);
    if (schema) {
      result.schemas.add(schema.id === resourceType.core.id ? '' : schema.id);
      continue;
    }
    const resolved = resolveAttribute(type, name);
    if (!resolved) continue; // unknown: ignored, see above
    const key = slot(resolved.extension ? resolved.schema : '', resolved.keys[0]!);
    const sub = resolved.keys[1];
    const before = result.attributes.get(key);
    if (sub === undefined) result.attributes.set(key, true);
    else if (before !== true) result.attributes.set(key, (before ?? new Set<string>()).add(sub));
  }
  return result;
}

/** What to do with one top-level attribute: leave it out, keep it (with these sub-attributes), or keep it without some. */
type Decision = { keep: false } | { keep: true; only?: Set<string>; without?: Set<string> };

function decide(definition: AttributeDefinition, container: string, wanted: Picks | null, excluded: Picks | null): Decision {
  if (definition.returned === 'never') return { keep: false };
  if (definition.returned === 'always') return { keep: true };
  const key = slot(container, definition.name);
  if (wanted) {
    const pick = wanted.attributes.get(key);
    if (pick === true) return { keep: true };
    if (pick) return { keep: true, only: pick };
    // A whole schema named brings its default attributes, not the ones returned on request only.
    return { keep: wanted.schemas.has(container) && definition.returned === 'default' };
  }
  if (definition.returned === 'request') return { keep: false };
  if (excluded) {
    if (excluded.schemas.has(container)) return { keep: false };
    const pick = excluded.attributes.get(key);
    if (pick === true) return { keep: false };
    if (pick) return { keep: true, without: pick };
  }
  return { keep: true };
}

const byName = (definitions: readonly AttributeDefinition[] | undefined, name: string) => {
  const lower = name.toLowerCase();
  return definitions?.find((d) => d.name.toLowerCase() === lower);
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The attribute's value under the decision; undefined when nothing of it is left. */
function shape(definition: AttributeDefinition, value: unknown, decision: Decision & { keep: true }): unknown {
  if (definition.type !== 'complex' || !definition.subAttributes) return value;
  const subs = definition.subAttributes;
  const one = (item: unknown): unknown => {
    if (!isObject(item)) return item;
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(item)) {
      const subDefinition = byName(subs, key);
      if (!subDefinition || subDefinition.returned === 'never') continue;
      const kept =
        subDefinition.returned === 'always' ||
        (decision.only ? decision.only.has(subDefinition.name) : subDefinition.returned !== 'request' && !decision.without?.has(subDefinition.name));
      if (kept) out[key] = sub;
    }
    return Object.keys(out).length ? out : undefined;
  };
  if (Array.isArray(value)) {
    // An empty list stays (members: [] is an answer); a list whose items lost every picked part goes.
    if (value.length === 0) return value;
    const items = value.map(one).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  return one(value);
}

function projectObject(
  source: Record<string, unknown>,
  definitions: readonly AttributeDefinition[],
  container: string,
  wanted: Picks | null,
  excluded: Picks | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const definition = byName(definitions, key);
    if (!definition) continue;
    const decision = decide(definition, container, wanted, excluded);
    if (!decision.keep) continue;
    const shaped = shape(definition, value, decision);
    if (shaped !== undefined) out[key] = shaped;
  }
  return out;
}

/**
 * A projector for many resources of one type: the names are resolved once. Throws invalidValue
 * when both parameters are given: RFC 7644 §3.4.2.5 calls them mutually exclusive.
 */
export function projector(type: ResourceTypeName, options: ProjectionOptions = {}): (resource: Record<string, unknown>) => Record<string, unknown> {
  const hasWanted = (options.attributes?.length ?? 0) > 0;
  const hasExcluded = (options.excludedAttributes?.length ?? 0) > 0;
  if (hasWanted && hasExcluded) throw invalidValue('attributes and excludedAttributes cannot be used together (RFC 7644 §3.4.2.5).');
  const wanted = hasWanted ? picks(type, options.attributes!) : null;
  const excluded = hasExcluded ? picks(type, options.excludedAttributes!) : null;
  const resourceType = RESOURCE_TYPES[type];
  const core = [...resourceType.core.attributes, ...COMMON_ATTRIBUTES];
  return (resource) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resource)) {
      if (key === 'schemas') {
        out[key] = value;
        continue;
      }
      const extension = resourceType.extensions.find((s) => s.id.toLowerCase() === key.toLowerCase());
      if (extension) {
        if (!isObject(value)) continue;
        const projected = projectObject(value, extension.attributes, extension.id, wanted, excluded);
        if (Object.keys(projected).length) out[key] = projected;
        continue;
      }
      Object.assign(out, projectObject({ [key]: value }, core, '', wanted, excluded));
    }
    return out;
  };
}

export function project(resource: Record<string, unknown>, type: ResourceTypeName, options: ProjectionOptions = {}): Record<string, unknown> {
  return projector(type, options)(resource);
}
