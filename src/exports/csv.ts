/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF, a field quoted
 * when it holds a comma, a double quote, CR or LF, and a double quote inside a quoted field
 * doubled. A header row comes first, and the columns keep the order they are declared in.
 *
 * Exports end up in spreadsheets, which run a cell that starts with `=`, `+`, `-`, `@`, a tab
 * or a CR as a formula (CSV injection, OWASP's "CSV Injection"). Every text cell that starts
 * with one of them is prefixed with a single quote, which the spreadsheet shows as text. Only
 * text is changed: numbers and booleans are the gateway's own and are written as they are.
 */

/** Starts a spreadsheet would read as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** What forces quoting (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

/** How lists (an array value) are joined inside one cell. */
export const LIST_SEPARATOR = ';';

export type CellValue = string | number | boolean | null | undefined | readonly string[];

/** One cell as written: empty for null, `true`/`false`, lists joined by `;`, formulas neutralised, quoted when needed. */
export function csvCell(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = typeof value === 'string' ? value : value.join(LIST_SEPARATOR);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(values: readonly CellValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A column: its header and how a record's cell is read. */
export interface Column<T> {
  header: string;
  value(record: T): CellValue;
}

/** A table's header and rows with its columns, in their order. */
export function csvTable<T>(columns: readonly Column<T>[]) {
  return {
    headers: columns.map((c) => c.header),
    header: () => csvRow(columns.map((c) => c.header)),
    row: (record: T) => csvRow(columns.map((c) => c.value(record))),
  };
}
