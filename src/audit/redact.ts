/**
 * What of a mutation's input may be kept in the audit trail. The trail is read by auditors and
 * kept for a long time, so credentials never reach it and phone numbers keep only enough to
 * recognise them.
 */
const SECRET_KEY = /pass(word)?|secret|token|api.?key|authorization/i;

export const REDACTED = '[REDACTED]';

/** A deep copy of `input` with secrets replaced; `input` itself is left untouched. */
export function redactInput(input: unknown): unknown {
  return copy(input, new Set());
}

function copy(value: unknown, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  // GraphQL inputs cannot be cyclic, but a caller building one by hand must not overflow the stack.
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copy(item, ancestors));
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) out[key] = REDACTED;
      else if (key === 'phoneNumber') out[key] = maskPhone(item);
      else out[key] = copy(item, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A fixed number of dots, so the mask does not give away the number's length. */
function maskPhone(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const digits = String(value).replace(/\D/g, '');
  return digits.length > 2 ? `•••••${digits.slice(-2)}` : '•••••';
}
