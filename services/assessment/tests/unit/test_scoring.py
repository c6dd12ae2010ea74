"""Scores and ranks (赛马): the composite's weights renormalised over the defined rates, ties
sharing a rank with the next skipped, the unscored unranked, and rank change positive for a
unit that moved up."""

from __future__ import annotations

import pytest
from lianxin.assessment.domain.scoring import (
    WEIGHTS,
    competition_ranks,
    composite,
    rank_change,
    standings,
)


def test_composite_is_the_weighted_mean_of_the_four_rates() -> None:
    rates = {"SATISFACTION_RATE": 0.9, "ON_TIME_RATE": 0.8, "RESPONSE_RATE": 1.0,
             "RESOLUTION_RATE": 0.5}
    assert composite(rates) == round(100 * (0.3 * 0.9 + 0.3 * 0.8 + 0.2 * 1.0 + 0.2 * 0.5), 2)
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_undefined_rates_drop_out_and_the_weights_renormalise() -> None:
    # nothing rated yet: satisfaction and resolution undefined → on-time 0.3, response 0.2
    assert composite({"ON_TIME_RATE": 0.5, "RESPONSE_RATE": 1.0, "SATISFACTION_RATE": None}) \
        == round(100 * (0.3 * 0.5 + 0.2 * 1.0) / 0.5, 2) == 70.0
    assert composite({"SATISFACTION_RATE": None}) is None
    assert composite({"REOPEN_RATE": 0.1}) is None


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranks = competition_ranks({"a": 90.0, "b": 80.0, "c": 80.0, "d": 70.0, "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_rank_change_is_positive_for_moving_up() -> None:
    assert rank_change(2, 5) == 3
    assert rank_change(5, 2) == -3
    assert rank_change(1, 1) == 0
    assert rank_change(None, 1) is None and rank_change(1, None) is None


def test_standings_order_ranked_first_then_unranked_with_changes() -> None:
    rows = standings({"x": 60.0, "y": 95.5, "z": None, "w": 60.0}, {"x": 1, "y": 3, "w": 2})
    assert [(r.key, r.rank, r.previous_rank, r.rank_change) for r in rows] == [
        ("y", 1, 3, 2), ("w", 2, 2, 0), ("x", 2, 1, -1), ("z", None, None, None)]
