// OpenTelemetry for the gateway: when OTEL_EXPORTER_OTLP_ENDPOINT is set, spans go over OTLP/HTTP
// to <endpoint>/v1/traces (the standard OTEL_* variables tune the exporter), the gateway continues
// a caller's W3C traceparent and passes its own to the subgraphs, which continue it (the Python
// kit's lianxin.kit.tracing) — so one trace runs from the gateway to the consumers of the events
// a request caused. Unset: no SDK and no plugin, nothing is traced or exported.
// Imported by gateway.config.ts before anything else, so the SDK is in place first.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { openTelemetrySetup } from '@graphql-hive/gateway/opentelemetry/setup';

export const tracingEnabled = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());

if (tracingEnabled) {
  openTelemetrySetup({
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
    traces: { exporter: new OTLPTraceExporter() },
    resource: { serviceName: process.env.OTEL_SERVICE_NAME || 'lianxin-gateway' },
    // Async-aware context: the subgraph fetches of a request nest under its span.
    contextManager: new AsyncLocalStorageContextManager(),
  });
}

/** The `openTelemetry` option of the gateway config: spans for HTTP requests, GraphQL phases and
 * subgraph fetches, the caller's context inherited and our own propagated upstream. */
export const openTelemetryOption = tracingEnabled
  ? { traces: true, inheritContext: true, propagateContext: true }
  : undefined;
