"""Rollups: a figure recorded at an org unit counts for every unit above it too."""

from __future__ import annotations

import uuid
from collections.abc import Sequence


def rollup_targets(org_path: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Units whose subtree figures a fact at the end of `org_path` changes (root … self).

    Counting at every ancestor keeps a subtree query to one row read, whatever its size.
    """
    if len(set(org_path)) != len(org_path):
        raise ValueError(f"org path repeats a unit: {list(org_path)}")
    return list(org_path)
