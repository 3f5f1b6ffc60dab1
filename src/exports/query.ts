import { ECHO_LIMIT, GatewayError } from '../errors.js';

/**
 * Query parameters read strictly: a parameter the endpoint does not take, one sent twice, or a
 * value that is not of its type is a 400 (BAD_REQUEST), so a typo never widens an export.
 */
export class BadRequest extends GatewayError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

const shown = (value: string) => JSON.stringify(value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value);

export interface QueryReader {
  string(name: string): string | null;
  bool(name: string): boolean | null;
  int(name: string, min: number, max: number): number | null;
  oneOf<T extends string>(name: string, values: readonly T[]): T | null;
}

export function readQuery(query: URLSearchParams, allowed: readonly string[]): QueryReader {
  for (const name of new Set(query.keys())) {
    if (!allowed.includes(name)) throw new BadRequest(`Unknown query parameter ${shown(name)}; this export takes ${allowed.join(', ') || 'none'}`);
    if (query.getAll(name).length > 1) throw new BadRequest(`Query parameter ${name} is sent more than once`);
  }
  const raw = (name: string): string | null => {
    const value = query.get(name);
    if (value === null) return null;
    if (value.trim() === '') throw new BadRequest(`Query parameter ${name} is empty`);
    return value;
  };
  return {
    string: (name) => {
      const value = raw(name);
      if (value !== null && value.length > 256) throw new BadRequest(`Query parameter ${name} is over 256 characters`);
      return value;
    },
    bool: (name) => {
      const value = raw(name);
      if (value === null) return null;
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw new BadRequest(`Query parameter ${name} must be true or false, not ${shown(value)}`);
    },
    int: (name, min, max) => {
      const value = raw(name);
      if (value === null) return null;
      if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) throw new BadRequest(`Query parameter ${name} must be an integer between ${min} and ${max}, not ${shown(value)}`);
      return Number(value);
    },
    oneOf: (name, values) => {
      const value = raw(name);
      if (value === null) return null;
      if (!values.includes(value as never)) throw new BadRequest(`Query parameter ${name} must be one of ${values.join(', ')}, not ${shown(value)}`);
      return value as never;
    },
  };
}
