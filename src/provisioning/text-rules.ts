/**
 * Characters no name or identifier the gateway accepts may hold: they are invisible or change how
 * text around them is shown, so a value holding them is not what a reader sees (a name of only
 * zero-width spaces looks empty; a bidi override makes "Alice" display as someone else), or they
 * cannot be stored and read back as sent. Unicode general categories:
 *   Cc  controls: NUL, tab, newline, DEL, C1 controls
 *   Cf  format: bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069), zero-width
 *       space, joiner and non-joiner (U+200B-200D), the byte-order mark U+FEFF, soft hyphen
 *   Cs  an unpaired UTF-16 surrogate: no UTF-8 text can hold one
 *   Zl, Zp  the line and paragraph separators U+2028 and U+2029
 */
const HIDDEN_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export const hasHiddenOrControl = (value: string): boolean => HIDDEN_OR_CONTROL.test(value);
