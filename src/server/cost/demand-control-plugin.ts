import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener, type GraphQLResponse } from '@apollo/server';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { CallMeter, CallMeters } from '../../observability/call-meters.js';
import type { GatewayContext } from '../context.js';
import { shortKey } from '../short-key.js';
import type { CallerBudget, Reservation } from './caller-budget.js';
import { estimateCost, type CostEstimate, type EstimateInput } from './estimate.js';
import type { PlatformSizes } from './platform-sizes.js';

/**
 * Demand control, as Apollo Router's: before an operation runs, its upstream calls and answer
 * size are estimated from the schema, the arguments and the platform's sizes (estimate.ts), and
 * an operation over the per-operation budget is refused with COST_LIMIT_EXCEEDED. Then the
 * caller's per-minute budget is charged the estimate (only when the operation will really run:
 * after the response cache had no answer), and settled to the calls actually made when the
 * response goes out. Every operation's estimate and actual calls are in its log line.
 */
/** Response headers: the estimate of the operation's upstream calls, and the calls it made. */
export const ESTIMATE_HEADER = 'x-upstream-calls-estimate';
export const CALLS_HEADER = 'x-upstream-calls';

export interface DemandControlOptions {
  sizes: PlatformSizes;
  meters: CallMeters;
  rootOrgId: string;
  singleGetLimit: number;
  maxUpstreamCalls: number;
  maxResultFields: number;
  /** null: no per-caller budget (CALLER_UPSTREAM_CALLS_PER_MINUTE=0). */
  budget: CallerBudget | null;
  onBudgetError?: (error: unknown) => void;
}

/** Estimates per document (Apollo hands out the same document object for the same query text). */
const MAX_ESTIMATES_PER_DOCUMENT = 64;

export function demandControlPlugin(options: DemandControlOptions): ApolloServerPlugin<GatewayContext> {
  const { sizes, meters, budget } = options;
  // A warm repeat (the same document and variables, nothing learned since) reuses its estimate.
  const estimates = new WeakMap<DocumentNode, Map<string, { version: number; estimate: CostEstimate }>>();
  const estimateOf = (input: Omit<EstimateInput, 'sizes' | 'rootOrgId' | 'singleGetLimit'>, operationName: string | undefined): CostEstimate => {
    // Long variables hashed: they may be large (and unused), and a key must not keep them alive.
    const key = `${operationName ?? ''}\n${shortKey(JSON.stringify(input.variables))}`;
    const version = sizes.version;
    let known = estimates.get(input.document);
    const hit = known?.get(key);
    if (hit && hit.version === version) return hit.estimate;
    const estimate = estimateCost({ ...input, sizes, rootOrgId: options.rootOrgId, singleGetLimit: options.singleGetLimit });
    if (!known) estimates.set(input.document, (known = new Map()));
    if (known.size >= MAX_ESTIMATES_PER_DOCUMENT) known.clear();
    known.set(key, { version, estimate });
    return estimate;
  };
  const overBudget = (estimate: CostEstimate, answer: Extract<Reservation, { granted: false }>, perMinute: number): GraphQLResponse => ({
    http: { status: 429, headers: new HeaderMap([['retry-after', String(answer.retryAfterSeconds)]]) },
    body: {
      kind: 'single',
      singleResult: {
        errors: [
          {
            message: `This caller has spent ${answer.spent} of its ${perMinute} upstream calls for this minute and the operation is estimated at ${estimate.upstreamCalls}; retry in ${answer.retryAfterSeconds} s`,
            extensions: { code: 'CALLER_BUDGET_EXCEEDED', retryAfterSeconds: answer.retryAfterSeconds, budget: { perMinute, spent: answer.spent, estimatedUpstreamCalls: estimate.upstreamCalls } },
          },
        ],
      },
    },
  });
  // One listener for every request, its state in the request's own `cost`: a warm request
  // (answered from the response cache) makes no closures here.
  const listener: GraphQLRequestListener<GatewayContext> = {
    async didResolveOperation({ document, operation, request, schema, contextValue }) {
      if (!operation) return;
      const estimate = estimateOf({ schema, document, operation, variables: request.variables ?? {} }, request.operationName);
      contextValue.cost!.estimate = estimate;
      if (estimate.upstreamCalls > options.maxUpstreamCalls || estimate.resultFields > options.maxResultFields) {
        const over = estimate.upstreamCalls > options.maxUpstreamCalls ? `${estimate.upstreamCalls} upstream calls (the limit is ${options.maxUpstreamCalls})` : `an answer of ${estimate.resultFields} fields (the limit is ${options.maxResultFields})`;
        throw new GraphQLError(`The operation is estimated to cost ${over}; ask for smaller pages or fewer nested lists`, {
          extensions: {
            code: 'COST_LIMIT_EXCEEDED',
            cost: { estimatedUpstreamCalls: estimate.upstreamCalls, maxUpstreamCalls: options.maxUpstreamCalls, estimatedResultFields: estimate.resultFields, maxResultFields: options.maxResultFields },
            http: { status: 400 },
          },
        });
      }
    },
    async responseForOperation({ contextValue }) {
      const state = contextValue.cost as CostState;
      const estimate = state.estimate;
      if (!budget || !estimate || !contextValue.caller) return null;
      const callerId = contextValue.caller.id;
      let answer: Reservation;
      try {
        answer = await budget.reserve(callerId, estimate.upstreamCalls);
      } catch (error) {
        // The budget could not be counted: let the operation run rather than fail it.
        options.onBudgetError?.(error);
        return null;
      }
      if (!answer.granted) return overBudget(estimate, answer, budget.perMinute);
      state.reservation = answer;
      state.callerId = callerId;
      return null;
    },
    async executionDidStart({ contextValue }) {
      // Upstream calls are made by resolvers only: metered from here, so an answer that never
      // executes (from the response cache, refused) costs no meter and says 0 calls.
      const state = contextValue.cost as CostState;
      state.meter = meters.start(contextValue.requestId);
    },
    async willSendResponse({ response, contextValue }) {
      const state = contextValue.cost as CostState;
      const meter = state.meter;
      if (meter !== NO_CALLS) meters.finish(contextValue.requestId, meter);
      // What the caller spent, and what was expected: a client can learn its queries' cost.
      if (state.estimate) response.http.headers.set(ESTIMATE_HEADER, String(state.estimate.upstreamCalls));
      response.http.headers.set(CALLS_HEADER, String(meter.calls));
      const held = state.reservation;
      if (!budget || !held) return;
      state.reservation = null;
      await budget.settle(state.callerId, held.window, meter.calls - held.calls).catch((error: unknown) => options.onBudgetError?.(error));
    },
  };
  return {
    async requestDidStart({ contextValue }) {
      const state: CostState = { estimate: null, meter: NO_CALLS, reservation: null, callerId: '' };
      contextValue.cost = state;
      return listener;
    },
  };
}

/** The meter of a request that has not executed: no call can be counted against it. */
const NO_CALLS: CallMeter = Object.freeze({ calls: 0 });

/** The request's `cost` as demand control keeps it: the caller budget's reservation beside the public fields. */
interface CostState {
  estimate: CostEstimate | null;
  meter: CallMeter;
  /** Granted by responseForOperation, settled (and cleared) when the response goes out. */
  reservation: Extract<Reservation, { granted: true }> | null;
  callerId: string;
}
