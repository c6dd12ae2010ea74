"""Settings of the assessment service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings
from pydantic import Field, field_validator

CLASSES = ("explained", "merged")


class AssessmentSettings(KitSettings):
    assessment_exclude: str = Field(
        "explained,merged", description=(
            "ticket classes left out of figures unless a query says otherwise: a comma-separated "
            "subset of explained (resolved as unreasonable / already decided) and merged "
            "(duplicates merged into another ticket); empty counts everything"))

    dashboard_min_interval_ms: int = Field(
        250, ge=0, le=60_000, description=(
            "a screen-wall subscription gets at most one update per this many milliseconds; "
            "a burst of changes always ends with an update showing its final state"))

    @field_validator("assessment_exclude")
    @classmethod
    def _known_classes(cls, value: str) -> str:
        unknown = sorted({c.strip().lower() for c in value.split(",") if c.strip()} - set(CLASSES))
        if unknown:
            raise ValueError(f"LIANXIN_ASSESSMENT_EXCLUDE: unknown classes {unknown}; "
                             f"use a comma-separated subset of {', '.join(CLASSES)}")
        return value

    @property
    def assessment_exclusions(self) -> frozenset[str]:
        """The default exclusions as the metrics engine takes them."""
        return frozenset(c.strip().lower() for c in self.assessment_exclude.split(",") if c.strip())
