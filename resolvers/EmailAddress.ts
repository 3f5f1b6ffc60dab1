import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GatewayError } from '../src/errors.js';
import { isEmailAddress } from '../src/provisioning/email-address.js';

/**
 * E-mail addresses by the gateway's one rule (src/provisioning/email-address.ts), the rule
 * createUser checks its input by: every e-mail the gateway writes it can serialize. An address
 * made elsewhere (by hand in Anypoint) that breaks the rule fails its own field only: User.email
 * is nullable for that reason, so the user, and the list it is in, still answer.
 */
export const EmailAddress = new GraphQLScalarType<string, string>({
  name: 'EmailAddress',
  description:
    "An e-mail address: the HTML standard's valid e-mail address (ASCII, one @, no IP-literal domains; an international domain in its xn-- form) with a dot in the domain, at most 64 characters before the @ and 254 in all.",
  specifiedByURL: 'https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address',
  serialize(value) {
    if (isEmailAddress(value)) return value;
    // A platform value the gateway cannot vouch for; the message leaves the value out of the error.
    throw new GatewayError('UPSTREAM_VALUE_INVALID', 'Anypoint holds an e-mail address for this user that is not a valid EmailAddress, so it is not returned');
  },
  parseValue(value) {
    if (isEmailAddress(value)) return value;
    throw new GraphQLError('The value is not a valid EmailAddress');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && isEmailAddress(ast.value)) return ast.value;
    throw new GraphQLError('The value is not a valid EmailAddress', { nodes: ast });
  },
});
