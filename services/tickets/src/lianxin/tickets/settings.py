"""Settings of the tickets service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings


class TicketsSettings(KitSettings):
    pass
