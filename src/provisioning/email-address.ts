/**
 * The one rule for an e-mail address, shared by the write path and the read path (STYLE.md habit
 * 15): createUser refuses what this refuses (EMAIL_INVALID), and the EmailAddress scalar
 * (resolvers/EmailAddress.ts) serializes exactly what it accepts. A value the gateway writes, it
 * can therefore always read back.
 *
 * The rule is the HTML standard's "valid e-mail address" (what a browser's <input type=email>
 * accepts: ASCII only, no quoted local parts, no IP-literal domains; an international domain is
 * written in its xn-- form), plus what makes it deliverable, since Anypoint sends the
 * password-reset link there: a dot in the domain, at most 64 characters before the @ and 254 in
 * all (RFC 5321).
 */
const HTML_EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;

export function isEmailAddress(value: unknown): value is string {
  // The length check first: the pattern then never runs on a long string.
  if (typeof value !== 'string' || value.length > MAX_EMAIL_LENGTH || !HTML_EMAIL.test(value)) return false;
  // The pattern allows exactly one @.
  const at = value.indexOf('@');
  return at <= MAX_LOCAL_PART_LENGTH && value.slice(at + 1).includes('.');
}
