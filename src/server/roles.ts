/**
 * What a caller may do. Every authenticated caller may read the graph; mutations need
 * provisioner, the audit trail needs auditor. Anonymous callers (when allowed) only read.
 */
export const ROLES = ['reader', 'provisioner', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** Shown in the audit trail: `key:NAME`, `jwt:SUBJECT` or `anonymous`. */
  id: string;
  kind: 'api-key' | 'jwt' | 'anonymous';
  roles: ReadonlySet<Role>;
}

export const ANONYMOUS: Caller = Object.freeze({ id: 'anonymous', kind: 'anonymous', roles: new Set<Role>(['reader']) });
