import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPgJson, fromPgText, toPgJson, toPgText } from '../../src/storage/pg-text.js';
import { describeWithService, postgresAvailable } from '../helpers/services.js';
import { anyText } from './any-text.js';
import { DATABASE_URL } from './pg-schema.js';

/** The escape that lets PostgreSQL hold any string (src/storage/pg-text.ts). */

const UNPAIRED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('pg-text', () => {
  it('gives back every string it escaped', () => {
    fc.assert(fc.property(anyText(), (text) => fromPgText(toPgText(text)) === text), { numRuns: 2000 });
  });

  it('never writes a NUL or an unpaired surrogate', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        const stored = toPgText(text);
        return !stored.includes('\u0000') && !UNPAIRED.test(stored);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a string without NUL, U+FFFF or an unpaired surrogate as it is, so older rows read back unchanged', () => {
    const plain = fc.string({ unit: 'grapheme' }).filter((text) => !/[\u0000\uffff]/.test(text));
    fc.assert(fc.property(plain, (text) => toPgText(text) === text && fromPgText(text) === text));
  });

  it('escapes as documented', () => {
    expect(toPgText('a\u0000b')).toBe('a\uffff0b');
    expect(toPgText('\ud800x')).toBe('\uffffud800x');
    expect(toPgText('x\udc00')).toBe('x\uffffudc00');
    expect(toPgText('\uffff')).toBe('\uffff\uffff');
    // A pair is a character, not two surrogates.
    expect(toPgText('😀')).toBe('😀');
  });

  it('keeps the keys and values of a JSON value, a "__proto__" key included', () => {
    const value = JSON.parse('{"__proto__": {"a\\u0000": ["\\ud800", 1, null, true]}, "b": "\\u0000"}');
    const back = fromPgJson<Record<string, unknown>>(JSON.parse(toPgJson(value)));
    expect(Object.keys(back)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(back)).toBe(JSON.stringify(value));
  });
});

describeWithService('pg-text against PostgreSQL', postgresAvailable, () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
  });
  afterAll(() => client?.end());

  it('stores any string in text and in jsonb, and reads it back identically', async () => {
    await fc.assert(
      fc.asyncProperty(anyText(), async (text) => {
        const { rows } = await client.query<{ t: string; j: unknown }>('SELECT $1::text AS t, $2::jsonb AS j', [toPgText(text), toPgJson({ [text]: [text] })]);
        expect(fromPgText(rows[0]!.t)).toBe(text);
        expect(fromPgJson(rows[0]!.j)).toEqual({ [text]: [text] });
      }),
      { numRuns: 300 },
    );
  });

  it('is needed: PostgreSQL refuses a NUL in text and an unpaired surrogate in jsonb as they are', async () => {
    await expect(client.query('SELECT $1::text', ['a\u0000b'])).rejects.toThrow();
    await expect(client.query('SELECT $1::jsonb', [JSON.stringify('a\ud800')])).rejects.toThrow();
  });
});
