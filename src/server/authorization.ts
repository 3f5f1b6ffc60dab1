import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.js';

/**
 * Role checks at the operation level, before any resolver runs: mutations need provisioner, and
 * every operation needs a caller unless anonymous reads are on. auditEvents checks auditor itself.
 */
const refuse = (code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) =>
  new GraphQLError(message, {
    extensions: {
      code,
      // Every 401 names the schemes that would be accepted (RFC 9110 §11.6.1).
      http: code === 'UNAUTHENTICATED' ? { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer, ApiKey']]) } : { status: 403 },
    },
  });

export function authorizationPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          const caller = contextValue.caller;
          const mutation = operation?.operation === 'mutation';
          if (!caller || (mutation && caller.kind === 'anonymous')) {
            throw refuse('UNAUTHENTICATED', 'Send an API key (x-api-key header) or a bearer token');
          }
          if (mutation && !caller.roles.has('provisioner')) {
            throw refuse('FORBIDDEN', 'Mutations need the provisioner role');
          }
        },
      };
    },
  };
}
