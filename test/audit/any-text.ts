import fc from 'fast-check';

/**
 * Any string a caller can send in JSON (not a test file itself): every UTF-16 code unit, unpaired
 * surrogates included, with the ones storage must take care of drawn often: NUL, U+FFFF (the
 * PostgreSQL escape character), surrogates on their own, bidi overrides, line separators, and the
 * characters an escape sequence is made of.
 */
const TRICKY = ['\u0000', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\u202e', '\u2066', '\u200b', '\ufeff', '\u2028', '\n', '\r', '0', 'u', 'd8', '\\', '"'];

const unit = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

export const anyText = (maxLength = 24): fc.Arbitrary<string> => fc.string({ unit, maxLength });
