"""Crash points: inert unless named, refused when malformed or in production, and fatal (in a
child process, so the test survives) exactly at the n-th time the named point is reached."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from lianxin.kit import faults

CHILD = """
from lianxin.kit.faults import crash_point
for i in range(1, 6):
    crash_point("relay.before_mark")
    crash_point("consumer.before_offset_commit")
    print(i, flush=True)
"""


def run_child(value: str | None, environment: str = "dev") -> subprocess.CompletedProcess[str]:
    env = {"LIANXIN_ENVIRONMENT": environment, "PATH": ""}
    if value is not None:
        env[faults.VARIABLE] = value
    return subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_unset_crash_points_do_nothing() -> None:
    done = run_child(None)
    assert done.returncode == 0 and done.stdout.split() == ["1", "2", "3", "4", "5"]


def test_the_process_dies_by_sigkill_at_the_nth_time() -> None:
    done = run_child("consumer.before_offset_commit:3")
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["1", "2"]


@pytest.fixture
def fresh_faults() -> Iterator[None]:
    """The module reads its variable once; forget it before and after a test sets it."""
    faults.reset()
    yield
    faults.reset()


@pytest.mark.parametrize("value", ["relay.before_mark", "relay.before_mark:0",
                                   "nowhere:1", "relay.before_mark:x"])
def test_a_malformed_setting_is_refused_with_what_to_give(
        value: str, monkeypatch: pytest.MonkeyPatch, fresh_faults: None) -> None:
    monkeypatch.setenv(faults.VARIABLE, value)
    with pytest.raises(ValueError, match="<point>:<n>"):
        faults.crash_point("relay.before_mark")


def test_refused_in_production(monkeypatch: pytest.MonkeyPatch, fresh_faults: None) -> None:
    monkeypatch.setenv(faults.VARIABLE, "relay.before_mark:1")
    monkeypatch.setenv("LIANXIN_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="refused in production"):
        faults.arm()
