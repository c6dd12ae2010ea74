"""Settings of the assessment service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings


class AssessmentSettings(KitSettings):
    pass
