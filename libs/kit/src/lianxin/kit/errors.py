"""Errors a person can act on: each carries a stable machine code and a message saying what to fix."""

from __future__ import annotations

from typing import Any, ClassVar


class CodedError(Exception):
    """Base for expected failures; `code` becomes the GraphQL error's `extensions.code`."""

    code: ClassVar[str] = "BAD_REQUEST"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(CodedError):
    """A field's value is malformed or out of range."""

    code = "BAD_USER_INPUT"


class NotFound(CodedError):
    """The thing asked for does not exist or is outside the caller's scope."""

    code = "NOT_FOUND"


class Forbidden(CodedError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class Conflict(CodedError):
    """The request contradicts what is already stored (e.g. a reused id with other content)."""

    code = "CONFLICT"
