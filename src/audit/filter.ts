import type { AuditFilter, AuditRecord } from './types.js';

/** Whether `record` has the filter's exact actor/action/target and falls in its [from, to) window. */
export function matchesFilter(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.actor !== undefined && record.actor !== filter.actor) return false;
  if (filter.action !== undefined && record.action !== filter.action) return false;
  if (filter.target !== undefined && record.target !== filter.target) return false;
  if (filter.from === undefined && filter.to === undefined) return true;
  const at = Date.parse(record.at);
  if (filter.from !== undefined && !(at >= filter.from.getTime())) return false;
  if (filter.to !== undefined && !(at < filter.to.getTime())) return false;
  return true;
}
