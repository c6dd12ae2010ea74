"""Settings of the people service (all `LIANXIN_*`; see lianxin.kit.settings)."""

from __future__ import annotations

from pathlib import Path

from lianxin.kit.settings import KitSettings
from lianxin.people.adapters.cards import check_card_font
from pydantic import Field, model_validator


class PeopleSettings(KitSettings):
    """The people service stores personal data, so its keys are required at start-up."""

    card_font: Path | None = Field(
        None, description="TrueType font (.ttf/.ttc) embedded in contact-card PDFs; unset: "
        "the non-embedded STSong-Light, which the printer must supply")

    @model_validator(mode="after")
    def _pii_keys(self) -> PeopleSettings:
        self.require_pii()
        return self

    @model_validator(mode="after")
    def _card_font_usable(self) -> PeopleSettings:
        if self.card_font is not None:
            # Loaded now, not at the first print: a wrong path or a font reportlab cannot read
            # should stop the deploy, not a village's print run.
            try:
                check_card_font(self.card_font)
            except ValueError as exc:
                raise ValueError(f"LIANXIN_CARD_FONT: {exc}") from None
        return self
