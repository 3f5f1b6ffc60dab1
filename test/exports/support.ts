import { parse } from 'csv-parse/sync';
import { KEYS, type KeyName, type ProvisioningStack } from '../provisioning/support.js';

/**
 * What the export tests share: a GET of an export with a role's key, and CSV read back with a
 * real parser (csv-parse, RFC 4180), never with the writer's own rules.
 */
export interface ExportResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

export async function getExport(stack: ProvisioningStack, path: string, as: KeyName | null, headers: Record<string, string> = {}): Promise<ExportResponse> {
  const res = await fetch(`${stack.gw.gateway.url}${path}`, { headers: { ...(as ? { 'x-api-key': KEYS[as] } : {}), ...headers } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

/** The records of a CSV as objects by header; strict: every record has every column. */
export function parseCsv(text: string): Array<Record<string, string>> {
  return parse(text, { columns: true, skip_empty_lines: false, relax_column_count: false, record_delimiter: '\r\n' });
}

/** The header row alone. */
export function csvHeader(text: string): string[] {
  return (parse(text, { to_line: 1, record_delimiter: '\r\n' }) as string[][])[0]!;
}

/** A GraphQL value as the CSV writes it: null empty, booleans true/false, lists joined by `;`. */
export function asCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(';');
  return String(value);
}
