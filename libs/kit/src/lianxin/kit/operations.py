"""What each GraphQL operation leaves behind: its count and latency (metrics.py) by operation
type and name, and the request's span named after it — never its variables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

from lianxin.kit.db import READ_ONLY
from lianxin.kit.metrics import operation_label, timed_operation
from opentelemetry import trace
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType


def observer(service: str) -> Callable[[], SchemaExtension]:
    """A Strawberry extension factory (one instance per request) for `service`'s schema."""

    class ObserveOperation(SchemaExtension):
        lianxin_observer = True  # create_app adds one observer per schema, not one per app

        def on_execute(self) -> Iterator[None]:
            # A query's units of work read without a transaction (lianxin.kit.db.READ_ONLY).
            read_only = READ_ONLY.set(self.execution_context.operation_type is OperationType.QUERY)
            try:
                yield
            finally:
                READ_ONLY.reset(read_only)

        async def on_operation(self) -> AsyncIterator[None]:
            async with timed_operation(service) as seen:
                yield
                ctx = self.execution_context
                try:
                    seen["type"] = ctx.operation_type.value
                except Exception:  # not parsed (a syntax error): no type to tell
                    seen["type"] = "unknown"
                seen["name"] = operation_label(ctx.operation_name)
                result = ctx.result
                if ctx.pre_execution_errors or (result is not None and result.errors):
                    seen["outcome"] = "error"
                span = trace.get_current_span()
                span.set_attribute("graphql.operation.type", seen["type"])
                span.set_attribute("graphql.operation.name", seen["name"])
                span.update_name(f"{seen['type']} {seen['name']}")
                if seen["outcome"] == "error":
                    span.set_attribute("lianxin.graphql.errors", True)

    return ObserveOperation
