import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

/**
 * The one place that turns the vendored OpenAPI files into response validators.
 *
 * Why this glue exists: swagger-parser resolves every `$ref` so each response schema is a plain
 * JSON Schema object, and ajv compiles it. OpenAPI 3.0 schemas are not quite JSON Schema: they use
 * `nullable: true` (ajv implements it natively) and carry annotation keywords ajv does not know
 * (`example`, `xml`, ...), which `strict: false` tells ajv to ignore. ajv-formats registers every
 * `format` these specs use (uuid, int64, binary). openapi.test.ts pins this behaviour down.
 */

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

export const SPEC_DIR = fileURLToPath(new URL('./specs/', import.meta.url));

type Schema = Record<string, unknown>;
interface ResponseObject {
  content?: Record<string, { schema?: Schema }>;
}
interface SpecDocument {
  paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
}

const documents = new Map<string, Promise<SpecDocument>>();
const validators = new Map<string, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** Parses and dereferences one spec file from test/contract/specs (cached). */
export function loadSpec(file: string): Promise<SpecDocument> {
  let doc = documents.get(file);
  if (!doc) {
    doc = SwaggerParser.dereference(`${SPEC_DIR}${file}`) as unknown as Promise<SpecDocument>;
    documents.set(file, doc);
  }
  return doc;
}

export interface OperationRef {
  file: string;
  path: string;
  method: string;
}

/** Whether the spec documents this path and method at all. */
export async function hasOperation(op: OperationRef): Promise<boolean> {
  const doc = await loadSpec(op.file);
  return doc.paths[op.path]?.[op.method.toLowerCase()] !== undefined;
}

/** The statuses the spec lists for an operation (e.g. ["200", "401"]). */
export async function documentedStatuses(op: OperationRef): Promise<string[]> {
  const doc = await loadSpec(op.file);
  return Object.keys(doc.paths[op.path]?.[op.method.toLowerCase()]?.responses ?? {});
}

/** The JSON response schema for a status, or undefined if the spec gives that status no body. */
export async function responseSchema(op: OperationRef, status: number): Promise<Schema | undefined> {
  const doc = await loadSpec(op.file);
  const response = doc.paths[op.path]?.[op.method.toLowerCase()]?.responses?.[String(status)];
  if (!response?.content) return undefined;
  const media = Object.entries(response.content).find(([type]) => type.includes('json'));
  return media?.[1].schema;
}

/** A property whose spec schema is known to be wrong (see deviations.ts), by path and what it may also be. */
export interface Relaxation {
  /** Dotted path from the body; `[]` steps into array items: `data[].phoneNumber`, `[].files[].md5`. */
  property: string;
  accepts: 'null' | 'anything';
}

/**
 * Validates a parsed body against the spec's schema for op + status. Each relaxation widens the
 * schema of one property (to also allow null, or to allow anything) so the rest is still checked.
 */
export async function validateResponse(
  op: OperationRef,
  status: number,
  body: unknown,
  relaxations: readonly Relaxation[] = [],
): Promise<{ errors: string[] } | { errors: null; reason: string }> {
  const schema = await responseSchema(op, status);
  if (!schema) return { errors: null, reason: `no JSON schema for ${op.method} ${op.path} ${status} in ${op.file}` };
  const key = `${op.file} ${op.method} ${op.path} ${status} ${JSON.stringify(relaxations)}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(relaxations.reduce((s, r) => relax(s, steps(r.property), r), schema));
    validators.set(key, validate);
  }
  return { errors: validate(body) ? [] : formatErrors(validate.errors ?? []) };
}

/** `[].files[].md5` -> ['[]', 'files', '[]', 'md5'] */
export const steps = (property: string): string[] => property.split(/\.|(?=\[\])|(?<=\[\])/).filter(Boolean);

/** Copies the schema along the path (dereferenced schemas share objects) and widens the leaf. */
function relax(schema: Schema, path: string[], relaxation: Relaxation): Schema {
  const [step, ...rest] = path;
  if (step === undefined) return relaxation.accepts === 'anything' ? {} : { anyOf: [{ type: 'null' }, schema] };
  if (step === '[]') {
    if (!schema.items) throw new Error(`${relaxation.property}: the spec schema has no array items here`);
    return { ...schema, items: relax(schema.items as Schema, rest, relaxation) };
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties?.[step]) return { ...schema, properties: { ...properties, [step]: relax(properties[step], rest, relaxation) } };
  const allOf = schema.allOf as Schema[] | undefined;
  if (allOf?.some((part) => (part.properties as Record<string, Schema> | undefined)?.[step])) {
    return { ...schema, allOf: allOf.map((part) => ((part.properties as Record<string, Schema> | undefined)?.[step] ? relax(part, path, relaxation) : part)) };
  }
  throw new Error(`${relaxation.property}: the spec schema has no property ${step}`);
}

function formatErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
