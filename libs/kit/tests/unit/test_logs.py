"""Structured logs: one JSON object per line with service, level, logger, request id and trace
id; phone and ID numbers masked wherever they appear (message, fields, tracebacks); the format
setting checked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from lianxin.kit import tracing
from lianxin.kit.logs import configure_logging, mask_text
from lianxin.kit.settings import KitSettings
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield capsys
    root.handlers, _ = saved[0], root.setLevel(saved[1])
    structlog.reset_defaults()


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    err = capsys.readouterr().err
    return [json.loads(line) for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(("text", "masked"), [
    ("call 13912345678 now", "call [phone] now"),
    ("call +86 139-1234-5678 now", "call [phone] now"),
    ("id 11010519491231002X ok", "id [id-number] ok"),
    ("id 110105194912310021 ok", "id [id-number] ok"),
    ("old id 110105491231002 ok", "old id [id-number] ok"),
    # Not personal data: hex ids, uuids, longer numbers, a count.
    ("trace 4bf92f3577b34da6a3ce929d0e0e4736", "trace 4bf92f3577b34da6a3ce929d0e0e4736"),
    ("ticket 0190a3c4-1391-7234-8567-139123456789", "ticket 0190a3c4-1391-7234-8567-139123456789"),
    ("offset 1391234567800", "offset 1391234567800"),
    ("applied 42 events", "applied 42 events"),
])
def test_masking(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_a_line_is_json_with_service_request_and_trace(json_logs: pytest.CaptureFixture[str]) -> None:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    configure_logging("probe", "INFO", "json")  # here: the handler writes to capsys' stderr
    token = tracing.request_id.set("req-123")
    try:
        with tracing.tracer.start_as_current_span("probe") as span:
            logging.getLogger("lianxin.probe").info("applied %d events", 3)
            want_trace = format(span.get_span_context().trace_id, "032x")
    finally:
        tracing.request_id.reset(token)
    [line] = lines(json_logs)
    assert line["event"] == "applied 3 events"
    assert line["service"] == "probe" and line["level"] == "info"
    assert line["logger"] == "lianxin.probe" and line["request_id"] == "req-123"
    assert line["trace_id"] == want_trace and "timestamp" in line


def test_personal_data_is_masked_in_messages_fields_and_tracebacks(
        json_logs: pytest.CaptureFixture[str]) -> None:
    configure_logging("probe", "INFO", "json")
    log = logging.getLogger("lianxin.probe")
    log.warning("resident 13912345678 called")
    structlog.get_logger("lianxin.probe").info("lookup", id_number="11010519491231002X")
    try:
        raise ValueError("duplicate phone 13812345678")
    except ValueError:
        log.exception("import failed")
    out = lines(json_logs)
    text = json.dumps(out)
    assert "13912345678" not in text and "13812345678" not in text
    assert "11010519491231002X" not in text
    assert out[0]["event"] == "resident [phone] called"
    assert out[1]["id_number"] == "[id-number]"
    assert "ValueError: duplicate phone [phone]" in str(out[2]["exception"])


def settings(**env: str) -> KitSettings:
    return KitSettings(database_url="postgresql+asyncpg://x/y", kafka_bootstrap="x:1",
                       jwt_secret="s" * 40, **env)   # type: ignore[arg-type]


def test_log_format_setting() -> None:
    assert settings().log_format == "json"
    assert settings(log_format="console").log_format == "console"
    with pytest.raises(ValidationError, match="log_format"):
        settings(log_format="xml")
