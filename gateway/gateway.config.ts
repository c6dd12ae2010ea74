// Hive Gateway configuration, loaded by
//   npx hive-gateway supergraph ./supergraph.graphql --host 127.0.0.1 --port N -c ./gateway.config.ts
// (hive-gateway transpiles this file and src/*.ts itself; no tsx needed). Port and host come from
// the CLI; everything else from LIANXIN_* variables (src/settings.ts; a bad value stops the start).
// Built in: GET /healthcheck (liveness) and GET /readiness (200 once the supergraph is loaded); they
// need no token. Every GraphQL request needs one (src/auth.ts).
// First: the OpenTelemetry SDK must be set up before the gateway builds its plugins.
import { openTelemetryOption } from './src/telemetry.ts';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { authPlugin } from './src/auth.ts';
import { limitsPlugin } from './src/limits.ts';
import { codeRequestErrors, maskErrorFor } from './src/masking.ts';
import { admissionPlugin, overloadPlugin, upstreamTimeoutFor } from './src/overload.ts';
import { persistedDocuments } from './src/persisted.ts';
import { readSettings, SettingsError } from './src/settings.ts';

function settingsOrExit() {
  try {
    return readSettings();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    // Said plainly and first, not buried in a stack trace: the gateway will not start without it.
    console.error(`lianxin gateway: bad setting: ${error.message}`);
    process.exit(2);
  }
}

const settings = settingsOrExit();
const production = settings.environment === 'production';
const persisted = persistedDocuments(settings);

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
          // Identical upstream queries in flight at once share one request (Hive's default);
          // LIANXIN_GATEWAY_DEDUPLICATE_INFLIGHT=false turns it off for benchmarks (bench/).
          deduplicateInflightRequests: settings.deduplicateInflight,
          // Subscriptions go to the subgraph over graphql-transport-ws at <location>/../graphql,
          // whether the client came over a WebSocket or SSE. The default (graphql-sse over GET)
          // fails against Strawberry. A websocket carries no per-request headers, so the client's
          // token travels in connection_init's payload (Strawberry:
          // context["connection_params"]["authorization"]); `context.headers` holds the client's
          // HTTP headers, or its own connectionParams when it came over a websocket. The gateway
          // keeps one upstream socket per distinct token, so users never share one.
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

const codingPlugin: GatewayPlugin = {
  onResultProcess({ result }) {
    codeRequestErrors(result);
  },
};

export const gatewayConfig = defineConfig({
  // Order matters: the token is verified first, then the rate (keyed on its subject) and the
  // residents' persisted-only rule, which read the verified claims.
  // admissionPlugin first: a request over the gateway's in-flight bound is refused before anything
  // else is spent on it. overloadPlugin: a service's OVERLOADED reaches the client as 503 +
  // Retry-After (src/overload.ts).
  plugins: () => [
    admissionPlugin(settings.maxInFlight, settings.maxLoopLagMs),
    authPlugin(settings),
    limitsPlugin(settings.limits),
    persisted.plugin,
    codingPlugin,
    overloadPlugin,
  ],
  supergraph: './supergraph.graphql',
  // Hive Router's Rust query planner and its executor: reads across subgraphs took ~30–45 %
  // more requests a second than with the JavaScript stitching runtime (bench/RESULTS.md, P1);
  // every e2e test passes on both. LIANXIN_GATEWAY_QUERY_PLANNER=javascript goes back.
  ...(settings.queryPlanner === 'rust' ? { unifiedGraphHandler } : {}),
  transportEntries,
  // Stop waiting on a subgraph after LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS (GATEWAY_TIMEOUT, 504):
  // without it the gateway held every request open for as long as the service queued it.
  // Subscriptions are exempt (src/overload.ts). No upstreamRetry: a retried mutation under
  // overload is more load on the service that is already refusing it.
  upstreamTimeout: upstreamTimeoutFor(settings.upstreamTimeoutMs),
  persistedDocuments: persisted.option,
  // Traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/telemetry.ts).
  openTelemetry: openTelemetryOption,
  // Batching is off (Yoga's default; src/limits.ts answers an array body with BATCHING_DISABLED).
  batching: false,
  // Errors a subgraph returns in its GraphQL response reach the client with message and extensions
  // intact (plus extensions.serviceName; an error with no code gets DOWNSTREAM_SERVICE_ERROR), so
  // codes like UNKNOWN_ORG_UNIT survive. Unexpected errors (a subgraph unreachable, a gateway bug)
  // become "Unexpected error." with code INTERNAL_SERVER_ERROR; the gateway log has the cause,
  // and outside production so does the response. src/masking.ts has the details. Subgraphs must
  // not put secrets in messages: Strawberry returns a Python exception's text unless its
  // MaskErrors extension is on.
  maskedErrors: { maskError: maskErrorFor(settings.environment), isDev: !production },
  // A schema and a query editor are for developers: off in production.
  disableIntrospection: { disableIf: () => production },
  graphiql: !production,
  landingPage: !production,
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
