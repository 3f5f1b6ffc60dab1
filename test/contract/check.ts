import { deviationsFor, type Deviation } from './deviations.js';
import { documentedStatuses, responseSchema, steps, validateResponse } from './openapi.js';
import { specOperation } from './spec-map.js';

/**
 * Checks one real response against the spec operation of its route, relaxing only what
 * deviations.ts records. Returns the problems found (empty when the response conforms) and the
 * deviations that were actually needed, so stale entries can be spotted.
 */
export interface CheckResult {
  validated: boolean;
  problems: string[];
  applied: Deviation[];
}

export async function checkResponse(route: string, res: Response): Promise<CheckResult> {
  const deviations = deviationsFor(route);
  const applied: Deviation[] = [];
  const op = specOperation(route);
  if (!op) {
    const noSpec = deviations.find((d) => d.kind === 'no-spec');
    if (!noSpec) return { validated: false, problems: [`${route} has no spec operation and no no-spec deviation`], applied };
    return { validated: false, problems: [], applied: [noSpec] };
  }

  const statusDeviation = deviations.find((d) => d.kind === 'status' && d.served === res.status);
  if (statusDeviation) applied.push(statusDeviation);
  const status = statusDeviation?.kind === 'status' ? statusDeviation.spec : res.status;
  const documented = await documentedStatuses(op);
  if (!documented.includes(String(status))) {
    return { validated: true, problems: [`status ${status} is not documented for ${op.method} ${op.path} (${documented.join(', ')})`], applied };
  }

  if (!(await responseSchema(op, status))) return { validated: true, problems: [], applied };
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  if (!isJson) return { validated: true, problems: [`the spec has a JSON schema for ${status} but the body is ${res.headers.get('content-type') ?? 'empty'}: ${text}`], applied };

  const body: unknown = JSON.parse(text);
  const strict = await validateResponse(op, status, body);
  if (strict.errors === null) return { validated: true, problems: [strict.reason], applied };
  // A property deviation counts as needed only if strict validation failed at its path.
  const needed = deviations
    .filter((d): d is Extract<Deviation, { kind: 'property' }> => d.kind === 'property')
    .filter((d) => strict.errors.some((error) => pathPattern(d.property).test(error)));
  if (needed.length === 0) return { validated: true, problems: strict.errors, applied };
  applied.push(...needed);
  const relaxed = await validateResponse(op, status, body, needed.map(({ property, accepts }) => ({ property, accepts })));
  return { validated: true, problems: relaxed.errors ?? [], applied };
}

/** Matches an error line ("/data/3/phoneNumber must be ...") against `data[].phoneNumber`. */
function pathPattern(property: string): RegExp {
  const pointer = steps(property)
    .map((step) => (step === '[]' ? '/\\d+' : `/${step}`))
    .join('');
  return new RegExp(`^${pointer}(/| )`);
}
