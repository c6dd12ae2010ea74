"""Structured logs (structlog over the standard library, so every library's lines get the same
shape): one JSON object per line with the service, level, logger, request id and trace id.

Our messages never quote personal data (they name ids and counts); `mask_personal_data` is the
safety net for what slips through — a library's error text, an exception that quotes a value:
mainland mobile numbers and resident ID numbers are replaced before a line is written.

LIANXIN_LOG_FORMAT (KitSettings.log_format): `json` (default; what log collectors parse) or
`console` (for people).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog
from lianxin.kit import tracing
from opentelemetry import trace

# Not letters or digits on either side: a hex trace id or a long number is not a phone number.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
MASKS = (
    # Resident ID number: 17 digits and a digit or X check character; the old 15-digit form.
    (re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER), "[id-number]"),
    (re.compile(_EDGE_BEFORE + r"\d{15}" + _EDGE_AFTER), "[id-number]"),
    # Mainland mobile number, with or without +86 / 86 and a separator.
    (re.compile(_EDGE_BEFORE + r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}" + _EDGE_AFTER),
     "[phone]"),
)
# Fields we write ourselves and that are never personal data (ids are hex or uuids).
_UNMASKED = frozenset({"timestamp", "level", "logger", "service", "trace_id", "span_id",
                       "request_id"})


def mask_text(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask(v) for v in value)
    return value


def mask_personal_data(_logger: Any, _method: str,
                       event: MutableMapping[str, Any]) -> dict[str, Any]:
    """structlog processor: phone and ID numbers in any field become placeholders."""
    return {k: v if k in _UNMASKED else _mask(v) for k, v in event.items()}


def add_correlation(_logger: Any, _method: str,
                    event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the request id and the current trace and span ids, when known."""
    rid = tracing.request_id.get()
    if rid is not None:
        event.setdefault("request_id", rid)
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event.setdefault("trace_id", format(span_context.trace_id, "032x"))
        event.setdefault("span_id", format(span_context.span_id, "016x"))
    return event


def configure_logging(service: str, level: str, fmt: str = "json") -> None:
    """Route every logger (ours, uvicorn's, aiokafka's …) through one structured handler."""

    def add_service(_logger: Any, _method: str,
                    event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event.setdefault("service", service)
        return event

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        add_service,
        add_correlation,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (structlog.processors.JSONRenderer(ensure_ascii=False) if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    mask_personal_data,  # after the traceback is text: it is masked too
                    renderer])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True)
