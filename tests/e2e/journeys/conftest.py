"""What every journey starts with: the session's stack (tests/e2e/conftest.py) and an
administrator who sets up each journey's own county through the gateway."""

from __future__ import annotations

from typing import Any

import pytest
from journeys.frontends import App


@pytest.fixture(scope="session")
def admin(stack: Any) -> App:
    # A login of its own: the gateway's rate limit counts per token subject, and the other
    # end-to-end tests' admin ("dev-admin") shares the stack.
    return App(stack.gateway_url, stack.token(subject="journeys-admin"))
