import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvCell, csvRow, csvTable } from '../../src/exports/csv.js';

describe('csv writer', () => {
  it('quotes a field with a comma, a quote, CR or LF, and doubles quotes (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('')).toBe('');
  });

  it('writes null as empty, booleans and numbers as they are, lists joined by semicolons', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(['okta-a', 'okta-b'])).toBe('okta-a;okta-b');
    expect(csvCell([])).toBe('');
  });

  it('neutralises what a spreadsheet would run as a formula with a leading single quote', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+41 555')).toBe("'+41 555");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tindent')).toBe("'\tindent");
    // CR forces quoting too: the quote goes inside.
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    // Only the first character counts; the gateway's own numbers are never changed.
    expect(csvCell('a=1')).toBe('a=1');
    expect(csvCell(-1)).toBe('-1');
    // A list whose first item starts like a formula.
    expect(csvCell(['=x', 'y'])).toBe("'=x;y");
  });

  it('ends records with CRLF, and what it writes parses back to the same values', () => {
    const values = ['a,b', 'say "hi"', 'two\r\nlines', '', 'plain', "it's"];
    const line = csvRow(values);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(parse(line)).toEqual([values]);
    const table = csvTable<{ x: string; y: number | null }>([
      { header: 'x', value: (r) => r.x },
      { header: 'y', value: (r) => r.y },
    ]);
    const text = table.header() + table.row({ x: '=cmd|"/c calc"!A0', y: 3 }) + table.row({ x: 'ok', y: null });
    expect(parse(text, { columns: true })).toEqual([
      { x: `'=cmd|"/c calc"!A0`, y: '3' },
      { x: 'ok', y: '' },
    ]);
  });
});
