import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';

/**
 * GRAPHQL_EXECUTION_TIMEOUT_MS: a query still executing then has its upstream calls aborted
 * (through the signal every loader of the request passes on), so its fields fail fast and the
 * answer goes out with what was done; the cancelled fields say OPERATION_TIMEOUT. Mutations are
 * not cut short: a write in flight cannot be taken back, so aborting one midway would leave a
 * half-applied plan; their cost is bounded by demand control and the provisioning locks instead.
 */
export function executionTimeoutPlugin(timeoutMs: number): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let timer: NodeJS.Timeout | undefined;
      return {
        async executionDidStart({ operation, contextValue }) {
          const execution = contextValue.execution;
          if (!execution || operation.operation !== 'query') return;
          timer = setTimeout(() => {
            execution.timedOut = true;
            execution.controller.abort(new Error(`the operation ran longer than ${timeoutMs} ms`));
          }, timeoutMs);
          // A timer must not keep a stopping process alive.
          timer.unref();
        },
        async willSendResponse({ response, contextValue }) {
          clearTimeout(timer);
          if (!contextValue.execution?.timedOut || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const message = `The query ran longer than ${timeoutMs} ms (GRAPHQL_EXECUTION_TIMEOUT_MS); its remaining upstream calls were cancelled`;
          const errors = (result.errors ?? []).map((error) =>
            error.extensions?.code === 'REQUEST_CANCELLED' ? { ...error, message, extensions: { ...error.extensions, code: 'OPERATION_TIMEOUT' } } : error,
          );
          if (!errors.some((e) => e.extensions?.code === 'OPERATION_TIMEOUT')) errors.push({ message, extensions: { code: 'OPERATION_TIMEOUT' } });
          result.errors = errors;
        },
      };
    },
  };
}
