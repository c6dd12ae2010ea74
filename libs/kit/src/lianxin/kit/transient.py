"""Failures of the infrastructure rather than of the request or the event: PostgreSQL or Kafka
unreachable, restarting or shutting down. A consumer retries them (never dead-letters); an API
answers them SERVICE_UNAVAILABLE (try again) instead of INTERNAL_SERVER_ERROR (a bug)."""

from __future__ import annotations

import sqlalchemy.exc as sa_exc
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError

# SQLSTATEs of a server going away: class 08 (connection exceptions), admin/crash shutdown and
# "the database system is starting up" (57P01–57P03).
_GOING_AWAY = ("08", "57P01", "57P02", "57P03")


def is_transient(exc: BaseException) -> bool:
    """Connection-level failures of PostgreSQL or Kafka (not errors caused by the data)."""
    if isinstance(exc, sa_exc.DBAPIError) and (
            exc.connection_invalidated
            or str(getattr(exc.orig, "sqlstate", "") or "").startswith(_GOING_AWAY)):
        return True
    return isinstance(exc, (OSError, TimeoutError, sa_exc.OperationalError,
                            sa_exc.InterfaceError, KafkaConnectionError, KafkaTimeoutError))
