"""The replay's progress bar: redrawn in place on a terminal; on a pipe, a line every few
seconds and always the last one."""

from __future__ import annotations

import io

from lianxin.assessment.replay_cli import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_one_redrawn_line() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar(out, tty=True, clock=clock)
    clock.now = 2.0
    bar(500, 1000)
    bar.close()
    assert out.getvalue() == (f"\r[{'#' * 15}{'.' * 15}] 500/1,000 events  50.0%  250/s \n")


def test_a_pipe_gets_a_line_every_few_seconds_and_the_last() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar(out, tty=False, every_s=5.0, clock=clock)
    for second, done in enumerate((0, 100, 200, 300, 400, 500, 600, 700)):
        clock.now = float(second)
        bar(done, 750)
    clock.now = 8.0
    bar(750, 750)
    assert out.getvalue().splitlines() == [
        "replay: 0/750 events (0.0%), 0/s",
        "replay: 500/750 events (66.7%), 100/s",
        "replay: 750/750 events (100.0%), 94/s",
    ]
