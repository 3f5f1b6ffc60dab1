import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';

/**
 * What one HTTP request carries down to the code it runs: whether Apollo took it on, and the
 * span of its GraphQL operation, for the upstream calls to hang under. One set per gateway, so
 * two gateways in a process never see each other's.
 */
export interface RequestScope {
  /** Set once the request's GraphQL operation has started (and tracing is on). */
  span: Span | null;
  /** Apollo processed the request (false: refused before, e.g. bad credentials). */
  operation: boolean;
}

/**
 * Each request's scope is found from its IncomingMessage (the GraphQL context takes it from
 * there). Only with tracing on is it also kept in an AsyncLocalStorage, so that an upstream call,
 * deep under loaders that know nothing of spans, finds its operation's span: on Node 20 an
 * AsyncLocalStorage in use puts a hook on every promise (15-19% of a warm request's CPU in the
 * benchmark's profile), a price only worth paying for traces.
 */
export class RequestScopes {
  private readonly storage: AsyncLocalStorage<RequestScope> | null;
  private readonly byRequest = new WeakMap<IncomingMessage, RequestScope>();

  constructor(options: { followAsync: boolean }) {
    this.storage = options.followAsync ? new AsyncLocalStorage<RequestScope>() : null;
  }

  run<T>(req: IncomingMessage, work: (scope: RequestScope) => Promise<T>): Promise<T> {
    const scope: RequestScope = { span: null, operation: false };
    this.byRequest.set(req, scope);
    return this.storage ? this.storage.run(scope, () => work(scope)) : work(scope);
  }

  of(req: IncomingMessage): RequestScope | undefined {
    return this.byRequest.get(req);
  }

  /** The scope of the request the caller runs for; only with followAsync (else undefined). */
  current(): RequestScope | undefined {
    return this.storage?.getStore();
  }
}
