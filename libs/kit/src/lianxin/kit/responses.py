"""GraphQL-shaped HTTP answers the kit sends itself, before or instead of running GraphQL (no
token, a bad request, overload): a body with `errors` (each with `extensions.code`) and no
`data`, in the media type the client asked for."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def response_media_type(accept: str | None) -> str:
    """application/graphql-response+json when the client lists it (the gateway does), else
    application/json — also for `*/*` or no Accept header, as GraphQL over HTTP asks."""
    listed = {part.split(";", 1)[0].strip().lower() for part in (accept or "").split(",")}
    media = GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in listed else "application/json"
    return f"{media}; charset=utf-8"


def error_response(status: int, message: str, code: str, media_type: str,
                   headers: dict[str, str] | None = None,
                   extensions: dict[str, Any] | None = None) -> Response:
    """A GraphQL-shaped error body (no `data`: nothing was executed)."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}
    return Response(json.dumps(body, ensure_ascii=False), status_code=status,
                    media_type=media_type, headers=headers)
