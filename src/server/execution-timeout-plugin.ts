import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GatewayContext } from './context.js';

/**
 * GRAPHQL_EXECUTION_TIMEOUT_MS: a query still executing then has its upstream calls aborted
 * (through the signal every loader of the request passes on), so its fields fail fast and the
 * answer goes out with what was done; the cancelled fields say OPERATION_TIMEOUT. Mutations are
 * not cut short: a write in flight cannot be taken back, so aborting one midway would leave a
 * half-applied plan; their cost is bounded by demand control and the provisioning locks instead.
 */
export function executionTimeoutPlugin(timeoutMs: number): ApolloServerPlugin<GatewayContext> {
  const message = `The query ran longer than ${timeoutMs} ms (GRAPHQL_EXECUTION_TIMEOUT_MS); its remaining upstream calls were cancelled`;
  // One listener for every request: its state is the request's own `execution`, so a request
  // answered without executing (a response cache hit) allocates nothing here.
  const listener: GraphQLRequestListener<GatewayContext> = {
    async executionDidStart({ operation, contextValue }) {
      const execution = contextValue.execution;
      // No operation when the request's operationName names none (OPERATION_RESOLUTION_FAILURE follows).
      if (!execution || operation?.operation !== 'query') return;
      const timer = setTimeout(() => {
        execution.timedOut = true;
        execution.controller.abort(new Error(`the operation ran longer than ${timeoutMs} ms`));
      }, timeoutMs);
      // A timer must not keep a stopping process alive.
      timer.unref();
      // Apollo calls this whether execution returned or threw: the timeout bounds execution only.
      return {
        async executionDidEnd() {
          clearTimeout(timer);
        },
      };
    },
    async willSendResponse({ response, contextValue }) {
      if (!contextValue.execution?.timedOut || response.body.kind !== 'single') return;
      const result = response.body.singleResult;
      const errors = (result.errors ?? []).map((error) =>
        error.extensions?.code === 'REQUEST_CANCELLED' ? { ...error, message, extensions: { ...error.extensions, code: 'OPERATION_TIMEOUT' } } : error,
      );
      if (!errors.some((e) => e.extensions?.code === 'OPERATION_TIMEOUT')) errors.push({ message, extensions: { code: 'OPERATION_TIMEOUT' } });
      result.errors = errors;
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
