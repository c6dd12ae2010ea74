"""Settings of the people service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings
from pydantic import model_validator


class PeopleSettings(KitSettings):
    """The people service stores personal data, so its keys are required at start-up."""

    @model_validator(mode="after")
    def _pii_keys(self) -> PeopleSettings:
        self.require_pii()
        return self
