/**
 * PostgreSQL text cannot hold U+0000, and jsonb also refuses unpaired UTF-16 surrogates (text
 * would not refuse them: the driver's UTF-8 encoding silently turns each into U+FFFD). The
 * gateway stores what callers send, refused input included (the audit trail keeps it), so every
 * string goes through this reversible escape on its way in and back out:
 *
 *   U+0000                      -> ESC "0"
 *   an unpaired surrogate U+DXXX -> ESC "u" and its four lowercase hex digits
 *   ESC itself                  -> ESC ESC
 *
 * ESC is U+FFFF, a noncharacter: Unicode sets it aside for a program's internal use, so real text
 * has no business holding it. Any string without those three is stored as it is, so the rows
 * written before this escape existed read back unchanged and plain SQL on them still works. An
 * ESC followed by anything else (only a row from before the escape can hold one) reads back as
 * it is.
 */
const ESC = '\uffff';

// Without the u flag a regex sees code units, which is what finding an unpaired surrogate needs.
const UNSTORABLE = /\u0000|\uffff|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
const ESCAPED = /\uffff(?:(0)|u(d[89a-f][0-9a-f]{2})|(\uffff))/g;

/** `text` as PostgreSQL can store it. */
export function toPgText(text: string): string {
  if (!UNSTORABLE.test(text)) return text;
  return text.replace(UNSTORABLE_ALL, (unit) => {
    if (unit === '\u0000') return `${ESC}0`;
    if (unit === ESC) return `${ESC}${ESC}`;
    return `${ESC}u${unit.charCodeAt(0).toString(16)}`;
  });
}

/** The string toPgText was given. */
export function fromPgText(stored: string): string {
  if (!stored.includes(ESC)) return stored;
  return stored.replace(ESCAPED, (_, nul: string | undefined, surrogate: string | undefined) => {
    if (nul !== undefined) return '\u0000';
    if (surrogate !== undefined) return String.fromCharCode(Number.parseInt(surrogate, 16));
    return ESC;
  });
}

/**
 * `value` as JSON text for a jsonb column: what JSON.stringify would write (toJSON, undefined
 * fields dropped), with every string, object keys included, escaped by toPgText.
 */
export function toPgJson(value: unknown): string {
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return JSON.stringify(mapStrings(plain, toPgText));
}

/** The value toPgJson was given, from the jsonb column as the driver parsed it. */
export function fromPgJson<T>(stored: unknown): T {
  return mapStrings(stored, fromPgText) as T;
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a key "__proto__" (JSON may hold one) must stay a key.
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, map(key), { value: mapStrings(item, map), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
