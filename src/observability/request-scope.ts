import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';

/**
 * What one HTTP request carries down to the code it runs, without threading it through every
 * loader and provisioning step: the span of its GraphQL operation, for the upstream calls to
 * hang under. One store per gateway, so two gateways in a process never see each other's.
 */
export interface RequestScope {
  /** Set once the request's GraphQL operation has started (and tracing is on). */
  span: Span | null;
  /** Apollo processed the request (false: refused before, e.g. bad credentials). */
  operation: boolean;
}

export class RequestScopes {
  private readonly storage = new AsyncLocalStorage<RequestScope>();

  run<T>(work: (scope: RequestScope) => Promise<T>): Promise<T> {
    const scope: RequestScope = { span: null, operation: false };
    return this.storage.run(scope, () => work(scope));
  }

  current(): RequestScope | undefined {
    return this.storage.getStore();
  }
}
