// Hive Gateway configuration, loaded by
//   npx hive-gateway supergraph ./supergraph.graphql --host 127.0.0.1 --port N -c ./gateway.config.ts
// (hive-gateway transpiles this file itself; no tsx needed). Port and host come from the CLI.
// Built in: GET /healthcheck (liveness) and GET /readiness (200 once the supergraph is loaded).
import { defineConfig } from '@graphql-hive/gateway';

// Subgraph name (as in compose.mjs) -> environment variable overriding the URL baked into the
// supergraph (http://127.0.0.1:400N/graphql), e.g. LIANXIN_PEOPLE_URL=http://127.0.0.1:37211/graphql.
const URL_VARIABLES = {
  people: 'LIANXIN_PEOPLE_URL',
  tickets: 'LIANXIN_TICKETS_URL',
  assessment: 'LIANXIN_ASSESSMENT_URL',
} as const;

const transportEntries = Object.fromEntries(
  Object.entries(URL_VARIABLES).map(([subgraph, variable]) => {
    const url = process.env[variable];
    return [
      subgraph,
      {
        // `location` replaces the join__graph url of the supergraph for this subgraph.
        ...(url ? { location: url } : {}),
        options: {
          // Subscriptions go to the subgraph over graphql-transport-ws at <location>/../graphql.
          // The default (graphql-sse over GET) fails against Strawberry. A websocket carries no
          // per-request headers, so the client's token travels in connection_init's payload
          // (Strawberry: context["connection_params"]["authorization"]); `context.headers` holds
          // the client's HTTP headers, or its own connectionParams when it came over a websocket.
          // The gateway keeps one upstream socket per distinct token, so users never share one.
          subscriptions: {
            kind: 'ws',
            location: '/graphql',
            options: { connectionParams: { authorization: '{context.headers.authorization}' } },
          },
        },
      },
    ];
  }),
);

// Errors the gateway raises itself (syntax, validation, variable coercion) come without a code;
// give them GRAPHQL_VALIDATION_FAILED, as the subgraphs do, so every error a client sees has a
// stable extensions.code to branch on. Errors from subgraphs already carry theirs.
type Coded = { errors?: ReadonlyArray<{ extensions?: Record<string, unknown>; path?: unknown }> };
function codeRequestErrors(result: Coded): void {
  for (const error of result.errors ?? []) {
    if (error.path === undefined && !error.extensions?.code) {
      Object.assign(error, { extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
  }
}

export const gatewayConfig = defineConfig({
  plugins: () => [
    {
      onResultProcess({ result }) {
        if (Array.isArray(result)) result.forEach(codeRequestErrors);
        else if (result && typeof result === 'object' && 'errors' in result) codeRequestErrors(result);
      },
    },
  ],
  supergraph: './supergraph.graphql',
  transportEntries,
  // Default masking, stated on purpose: errors a subgraph returns in its GraphQL response reach
  // the client with message and extensions intact (plus extensions.serviceName; an error with no
  // code gets DOWNSTREAM_SERVICE_ERROR), so codes like UNKNOWN_ORG_UNIT survive. Only unexpected
  // errors (a subgraph unreachable, a gateway bug) become "Unexpected error." with code
  // INTERNAL_SERVER_ERROR; the gateway log has the cause. Subgraphs must not put secrets in
  // messages: Strawberry returns a Python exception's text unless its MaskErrors extension is on.
  maskedErrors: true,
  // The subgraphs verify the JWT themselves: pass the client's token through unchanged, on every
  // HTTP request to every subgraph. Read it from context.headers, not request.headers: for a client
  // on a websocket the upgrade request has no token; it sends connectionParams { authorization },
  // which the gateway merges into context.headers (the key must be lower-case `authorization`).
  propagateHeaders: {
    fromClientToSubgraphs({ context }) {
      const authorization = context.headers?.authorization;
      return authorization ? { authorization } : {};
    },
  },
});
