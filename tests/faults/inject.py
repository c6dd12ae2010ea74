"""Ways to hurt the stack, each by the processes' own pids (ManagedProcess / DevStack), never by
name: crash points armed through a worker's environment, extra workers in a consumer group,
consumer-group offsets moved back to 0."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition
from lianxin.kit.devstack.processes import ManagedProcess
from lianxin.kit.devstack.services import work_process
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.faults import VARIABLE


def wait_until(check: object, timeout_s: float, what: str, every: float = 0.2) -> None:
    """Poll `check()` until true; fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(every)
    raise AssertionError(f"{what} within {timeout_s:.0f}s")


def crash_at(stack: DevStack, component: str, point: str, nth: int,
             timeout_s: float = 60.0) -> int:
    """Restart `component` with a crash point armed, wait for it to die at that point (SIGKILL),
    then start it again unarmed; the dead process's exit code."""
    service = component.split(".")[0]
    stack.env_overrides[service] = {VARIABLE: f"{point}:{nth}"}
    try:
        stack.restart(component)
        proc = stack.processes[component]
        wait_until(lambda: not proc.is_running(), timeout_s, f"{component} did not reach {point}")
        code = proc.wait_exit(1)
    finally:
        stack.env_overrides.pop(service, None)
    stack.restart(component)
    return code


@contextmanager
def extra_worker(stack: DevStack, service: str, label: str) -> Iterator[ManagedProcess]:
    """A second `work` process of `service` (same consumer groups, a standby relay); stopped
    (SIGTERM) on leaving the block unless the block killed it."""
    proc = work_process(service, stack.env(service), stack.logs_dir, label)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop(5.0)


def rewind_group(stack: DevStack, group: str, topics: list[str], timeout_s: float = 60.0) -> None:
    """Move consumer group `group` back to offset 0 on every partition of `topics`: join the
    group as its only member (its workers must be stopped), seek to the beginning of whatever
    is assigned, commit, leave. Its next member re-reads everything from the start."""

    async def run() -> None:
        consumer = AIOKafkaConsumer(*topics, bootstrap_servers=stack.broker_bootstrap,
                                    group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            deadline = time.monotonic() + timeout_s
            wanted = sum(len(consumer.partitions_for_topic(t) or ()) for t in topics)
            while len(consumer.assignment()) < wanted:
                if time.monotonic() > deadline:
                    raise AssertionError(f"could not join {group} as its only member")
                await consumer.getmany(timeout_ms=200, max_records=1)
            tps = sorted(consumer.assignment())
            await consumer.commit({tp: 0 for tp in tps})
        finally:
            await consumer.stop()

    asyncio.run(run())


def committed(stack: DevStack, group: str, topics: list[str]) -> dict[TopicPartition, int]:
    """The group's committed offset per partition (-1 or None when it has none)."""

    async def run() -> dict[TopicPartition, int]:
        consumer = AIOKafkaConsumer(bootstrap_servers=stack.broker_bootstrap, group_id=group,
                                    enable_auto_commit=False)
        await consumer.start()
        try:
            tps = [TopicPartition(t, p) for t in topics
                   for p in sorted(consumer.partitions_for_topic(t) or ())]
            return {tp: (await consumer.committed(tp)) or 0 for tp in tps}
        finally:
            await consumer.stop()

    return asyncio.run(run())
