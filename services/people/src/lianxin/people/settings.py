"""Settings of the people service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings


class PeopleSettings(KitSettings):
    pass
