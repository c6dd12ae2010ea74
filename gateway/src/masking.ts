// What of an error a client may see.
//
// Errors with a code a client can act on pass through: subgraph errors (UNKNOWN_ORG_UNIT, …,
// with extensions.serviceName) and the gateway's own (see errors.ts). Anything unexpected (a
// subgraph unreachable, a bug) becomes "Unexpected error." with INTERNAL_SERVER_ERROR; the log has
// the cause. Outside production the cause is also sent (extensions.originalError) to help
// development; in production no error carries originalError, stack traces or exception details,
// including the request-parsing errors Yoga writes them into itself (invalid JSON did).
import { GraphQLError } from 'graphql';
import { OVERLOADED } from './overload.ts';
import { dropExtensions, type Extensions, forEachFailedResult, omitted } from './results.ts';
import type { Environment } from './settings.ts';

const DETAILS = ['originalError', 'stacktrace', 'exception'];

/** Yoga's `maskedErrors.maskError`: for errors thrown while a request is handled, and errors in results. */
export function maskErrorFor(environment: Environment) {
  const production = environment === 'production';
  return (error: unknown, message: string): Error => {
    if (isOriginal(error)) return production ? withoutDetails(error) : error;
    const extensions: Record<string, unknown> = { code: 'INTERNAL_SERVER_ERROR', unexpected: true };
    if (!production && error instanceof Error) {
      const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
      extensions['originalError'] = { message: cause.message, stack: cause.stack };
    }
    const http = error instanceof GraphQLError ? (error.extensions as Extensions).http : undefined;
    return new GraphQLError(message, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { ...extensions, ...(http ? { http } : {}) },
    });
  };
}

/** A GraphQLError raised on purpose (not wrapping an unexpected exception): safe to show. */
function isOriginal(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOriginal(error.originalError);
}

function withoutDetails(error: GraphQLError): GraphQLError {
  const extensions = error.extensions as Extensions;
  const kept = omitted(extensions, DETAILS);
  if (kept === extensions) return error;
  if ('originalError' in extensions && kept.http && 'spec' in kept.http) {
    // Yoga answers a body it could not read (invalid JSON) with 400, not the 200 of other request
    // errors, because originalError is there; keep that status once the detail is gone.
    const { spec: _spec, ...http } = kept.http as Record<string, unknown>;
    kept.http = http;
  }
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: kept,
  });
}

// Errors the gateway raises while checking a document (syntax, validation, variable coercion)
// come without a code; give them GRAPHQL_VALIDATION_FAILED, as the subgraphs do, so every error a
// client sees has a stable extensions.code to branch on. Errors from subgraphs carry theirs.
// Introspection refused in production gets the subgraphs' INTROSPECTION_DISABLED: the same
// refusal has one code whichever door it came through (graphql-js's rule words it this way).
//
// The same pass keeps GraphQL over HTTP's promise that a client can tell "my request is wrong"
// (no `data`; 400 for application/graphql-response+json) from "it ran, a field failed" (`data`,
// 200). Hive's Rust-planner executor (@graphql-hive/router-runtime 1.4) breaks it twice: it
// throws variable-coercion errors without the HTTP status Yoga reads (so they came as 200), and
// drops `data: null` when a non-null root field failed (so an executed mutation that answered
// FORBIDDEN looked like a refused request). tests/faults/test_fuzz.py found both.
const INTROSPECTION_REFUSED = /introspection has been disabled/;
const REFUSALS = new Set([OVERLOADED, 'GATEWAY_TIMEOUT']);
export function codeRequestErrors(result: unknown): void {
  forEachFailedResult(result, (coded) => {
    const errors = coded.errors ?? [];
    // It executed when some data came back or a field failed for a reason of its own; not when
    // every failure is a service refusing (OVERLOADED, which src/overload.ts answers 503 without
    // data) or not answering (GATEWAY_TIMEOUT, 504). Once it executed the answer is 200 with
    // `data`, so the HTTP statuses those errors carry are dropped: a query that timed out on one
    // service while another answered came back 504 with data (tests/faults/test_fuzz.py).
    const ran =
      coded.data != null ||
      errors.some((error) => error.path !== undefined && !REFUSALS.has(String(error.extensions?.['code'])));
    if (ran) {
      if (!('data' in coded)) coded.data = null;
      dropExtensions(errors, ['http']);
    }
    for (const error of errors) {
      if (error.path !== undefined) continue;
      // Yoga codes validation errors itself (GRAPHQL_VALIDATION_FAILED), this one included.
      if (typeof error.message === 'string' && INTROSPECTION_REFUSED.test(error.message)) {
        error.extensions = { ...error.extensions, code: 'INTROSPECTION_DISABLED' };
      } else if (!error.extensions?.['code']) {
        // Uncoded and outside any field: the request itself was refused (variable coercion).
        const http = 'data' in coded ? {} : { http: { status: 400, spec: true } };
        error.extensions = { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED', ...http };
      }
    }
  });
}
