// Every error the gateway raises itself carries one of these codes in extensions.code (clients
// branch on the code, never on the message) and a message saying what to fix.
import { GraphQLError } from 'graphql';

export const CODES = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BAD_REQUEST: 'BAD_REQUEST',
  RATE_LIMITED: 'RATE_LIMITED',
  BATCHING_DISABLED: 'BATCHING_DISABLED',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  PAGE_TOO_LARGE: 'PAGE_TOO_LARGE',
  PAGE_TOO_SMALL: 'PAGE_TOO_SMALL',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_ONLY: 'PERSISTED_QUERY_ONLY',
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
} as const;
export type Code = (typeof CODES)[keyof typeof CODES];

/**
 * An error about the request as a whole, answered before anything executes.
 *
 * `status` is the HTTP status. With `spec: true` Yoga applies the GraphQL-over-HTTP rule for
 * request errors: that status when the client accepts application/graphql-response+json, 200
 * when it accepts only application/json (as for any other validation error). 401 and 429 are
 * about the caller, not the document, and are sent as they are.
 */
export function requestError(
  code: Code,
  message: string,
  { status = 400, spec = true, headers }: { status?: number; spec?: boolean; headers?: Record<string, string> } = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, http: { status, ...(spec ? { spec: true } : {}), ...(headers ? { headers } : {}) } },
  });
}
