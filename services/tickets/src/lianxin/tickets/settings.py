"""Settings of the tickets service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings
from pydantic import Field, model_validator


class TicketsSettings(KitSettings):
    """Tickets hold requesters' names, phones and addresses (sealed), and verify contact-card
    tokens, so the personal-data keys are required at start-up."""

    sla_sweep_seconds: float = Field(
        60, gt=0, le=3600, description="the worker's SLA scheduler sweeps deadlines this often")

    @model_validator(mode="after")
    def _pii_keys(self) -> TicketsSettings:
        self.require_pii()
        return self
