// Overload, end to end (issue 9, scenario 12). A service over its in-flight limit answers 503 with
// a GraphQL error coded OVERLOADED and Retry-After (lianxin.kit.admission). Hive's HTTP executor
// reads that body like any other, so the error reaches the result with its code and serviceName;
// here the gateway turns a result that failed for that reason alone into HTTP 503 + Retry-After
// for the client, and stops waiting on a subgraph after the upstream timeout (GATEWAY_TIMEOUT,
// 504) instead of holding the client's request open while the service works through a queue.
// The gateway also bounds its own requests in flight (`admissionPlugin`): on a saturated box its
// event loop is the first queue, and without a bound requests waited there for tens of seconds.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { performance } from 'node:perf_hooks';
import { dropExtensions, forEachFailedResult, type ResultError } from './results.ts';

export const OVERLOADED = 'OVERLOADED';

/**
 * Hive's `upstreamTimeout`: every query and mutation sent to a subgraph, never a subscription
 * (Hive ends a subscription's stream when its timer fires, which would cut every screen wall
 * after that many milliseconds).
 */
export function upstreamTimeoutFor(ms: number) {
  return ({ executionRequest }: { executionRequest?: { operationType?: string } }): number | undefined =>
    executionRequest?.operationType === 'subscription' ? undefined : ms;
}

/** Seconds to wait before retrying, from the services' errors (extensions.retryAfter), else 1. */
function retryAfterOf(errors: ReadonlyArray<ResultError>): number {
  const given = errors
    .map((error) => error.extensions?.['retryAfter'])
    .filter((value): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0);
  return given.length ? Math.max(...given) : 1;
}

// Hive's upstream errors (GATEWAY_TIMEOUT, SUBREQUEST_HTTP_ERROR …) carry the subgraph request
// they were made from — its URL and body, i.e. the caller's variables, personal data included —
// and the upstream response. The client needs neither; the gateway log has them.
const UPSTREAM_DETAILS = ['request', 'response'];

/**
 * Shape a result whose subgraph said OVERLOADED: with no data at all (nothing was done) the client
 * gets 503 and Retry-After, as from a service directly; with partial data it stays 200 and the
 * coded error sits at its path. Also drops Hive's upstream request/response details from errors.
 */
export function shapeOverload(result: unknown): void {
  forEachFailedResult(result, (shaped) => {
    const errors = shaped.errors ?? [];
    dropExtensions(errors, UPSTREAM_DETAILS);
    const overloaded = errors.filter((error) => error.extensions?.['code'] === OVERLOADED);
    if (overloaded.length === 0 || shaped.data != null) return;
    shaped.extensions = {
      ...shaped.extensions,
      http: { status: 503, headers: { 'Retry-After': String(retryAfterOf(overloaded)) } },
    };
  });
}

export const overloadPlugin: GatewayPlugin = {
  onResultProcess({ result }) {
    shapeOverload(result);
  },
};

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const LAG_SAMPLE_MS = 100;

/**
 * Whether this process's event loop is falling behind: a timer due every LAG_SAMPLE_MS was late by
 * more than `maxLagMs` twice in a row. Measured on a box run into the ground (issue 9): offered
 * 255 submits a second, the gateway's loop fell 9–40 s behind — a request then waited that long
 * before any plugin saw it, so a bound on requests in flight never fired. One late sample (a long
 * synchronous step, a GC pause) is not enough; a backlog makes every sample late.
 */
export function loopBehind(maxLagMs: number): () => boolean {
  if (maxLagMs <= 0) return () => false;
  let late = [0, 0];
  let expected = performance.now() + LAG_SAMPLE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    late = [late[1]!, Math.max(0, now - expected)];
    expected = now + LAG_SAMPLE_MS;
  }, LAG_SAMPLE_MS);
  timer.unref();
  return () => late[0]! > maxLagMs && late[1]! > maxLagMs;
}

/**
 * Refuse, before its token is checked or its document parsed (the cheapest answer the gateway can
 * give), a GraphQL request over HTTP that finds `maxInFlight` others in the gateway or the event
 * loop behind by more than `maxLagMs`: 503 OVERLOADED with Retry-After, as the services answer
 * (lianxin.kit.admission). Health and readiness, WebSockets and SSE subscriptions (long-lived)
 * are not counted.
 */
export function admissionPlugin(maxInFlight: number, maxLagMs: number, retryAfterSeconds = 1): GatewayPlugin {
  let inFlight = 0;
  const behind = loopBehind(maxLagMs);
  return {
    onRequest({ request, url, requestHandler, setRequestHandler, endResponse, fetchAPI }) {
      if (!url.pathname.endsWith('/graphql')) return;
      const accept = request.headers.get('accept') ?? '';
      if (accept.includes('text/event-stream')) return;
      if (inFlight >= maxInFlight || behind()) {
        const media = accept.includes(GRAPHQL_RESPONSE_JSON) ? GRAPHQL_RESPONSE_JSON : 'application/json';
        const body = {
          errors: [
            {
              message: `the gateway is busy; nothing was done: retry after ${retryAfterSeconds} s`,
              extensions: { code: OVERLOADED, retryAfter: retryAfterSeconds },
            },
          ],
        };
        endResponse(
          new fetchAPI.Response(JSON.stringify(body), {
            status: 503,
            headers: { 'content-type': `${media}; charset=utf-8`, 'retry-after': String(retryAfterSeconds) },
          }),
        );
        return;
      }
      inFlight += 1;
      setRequestHandler(async (req, context) => {
        try {
          return await requestHandler(req, context);
        } finally {
          inFlight -= 1;
        }
      });
    },
  };
}
