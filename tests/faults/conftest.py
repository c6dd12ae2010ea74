"""The fault suite's stack: embedded PostgreSQL, tansu behind a TCP proxy the tests control, the
three services with their workers, Hive Gateway, and the demo county — started once per session
in a temporary data folder, and checked against the invariants (invariants.py) after every
scenario.

Scale: `make test` runs each scenario's short version; `make test-faults` sets
LIANXIN_FAULTS=full for the long ones (longer outages, more load, more fuzzed operations).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lianxin.kit.devstack.demo import DemoSummary, build_county, load_demo, post_graphql
from lianxin.kit.devstack.demo.county import DemoCounty
from lianxin.kit.devstack.processes import free_port
from lianxin.kit.devstack.stack import DevStack

# Helper modules beside this file (invariants, load, proxy) import by name: pytest's importlib
# mode does not put test folders on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))

FULL = os.environ.get("LIANXIN_FAULTS", "short") == "full"


def scaled(short: float, full: float) -> float:
    """A duration, rate or count: the short version in `make test`, the long in test-faults."""
    return full if FULL else short


# Scenarios that leave much behind run last: the overload's hundreds of accepted submits (and
# the fuzzer's data) would each raise alarms at the SLA scenario's clock jumps.
ORDER = ("test_invariants", "test_sla_scheduler", "test_crashes", "test_delivery", "test_outages",
         "test_abusive_documents", "test_authorisation_matrix", "test_fuzz", "test_overload")


def _rank(item: pytest.Item) -> int:
    name = Path(str(item.fspath)).stem
    return ORDER.index(name) if name in ORDER else len(ORDER)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    ours = [i for i, item in enumerate(items)
            if "tests/faults/" in str(item.fspath).replace(os.sep, "/")]
    for slot, item in zip(ours, sorted((items[i] for i in ours), key=_rank), strict=True):
        items[slot] = item
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)
            # The first scenario of a session also waits for the stack (30 s on a quiet box,
            # minutes on a busy one): pytest-timeout counts fixture set-up.
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(900))


@pytest.fixture(scope="session")
def county() -> DemoCounty:
    return build_county()


@pytest.fixture(scope="session")
def kafka_link() -> Iterator[Any]:
    """The proxy every Kafka client of the fault stack goes through (proxy.py); healthy unless
    a scenario sets its faults."""
    from proxy import FaultyLink

    holder: dict[str, DevStack] = {}
    link = FaultyLink(free_port(), lambda: ("127.0.0.1", holder["stack"]._broker().port))
    link.holder = holder  # type: ignore[attr-defined]
    link.start()
    yield link
    link.stop()


@pytest.fixture(scope="session")
def fault_stack(tmp_path_factory: pytest.TempPathFactory, county: DemoCounty,
                kafka_link: Any) -> Iterator[DevStack]:
    """The whole system with the demo county loaded (through the gateway, as `make dev` does),
    its broker reached through `kafka_link`."""
    stack = DevStack(Path(tmp_path_factory.mktemp("faults")), gateway_port=0,
                     kafka_front_port=kafka_link.port)
    kafka_link.holder["stack"] = stack
    with stack:
        summary: DemoSummary = load_demo(stack.gateway_url, stack.token(subject="faults-loader"),
                                         county)
        stack.timings["demo"] = summary.seconds
        yield stack


Gql = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def gql(fault_stack: DevStack) -> Gql:
    """POST to the gateway with an admin token unless another token is given."""
    admin = fault_stack.token(subject="faults-admin")

    def call(query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        return post_graphql(fault_stack.gateway_url, query, variables, token or admin)

    return call


# --- the load, and what the invariants compare ---------------------------------------------
@pytest.fixture(scope="session")
def personal(county: DemoCounty) -> Any:
    """Every phone and ID number the demo county registered; the load adds its own."""
    from invariants import Personal

    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("phone", "idNumber") and isinstance(item, str) and item:
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for op in county.ops():
        walk(op.input)
    return Personal(found)


@pytest.fixture(scope="session")
def injected() -> Any:
    from invariants import Injected

    return Injected()


@pytest.fixture
def load(fault_stack: DevStack, county: DemoCounty, personal: Any) -> Callable[..., Any]:
    """`with load(rate=8) as sent:` — a steady mixed load for the block; afterwards its phone
    and ID numbers and its error answers join what the personal-data scan looks for."""
    from contextlib import contextmanager

    from load import Sent, SteadyLoad

    @contextmanager
    def run(rate: float = 8.0, seed: int = 9) -> Iterator[Sent]:
        sent = Sent()
        try:
            with SteadyLoad(fault_stack, county, sent, rate=rate, seed=seed):
                yield sent
        finally:
            personal.values |= sent.phones | sent.id_numbers
            personal.answers += [a.detail for a in sent.answers if not a.ok]

    return run


@pytest.fixture
def invariants(fault_stack: DevStack, injected: Any, personal: Any) -> Callable[[], Any]:
    """Check invariants 1–5 (invariants.py) now; the stack must be whole again."""
    from invariants import check_all

    def check() -> dict[str, int]:
        for name, proc in fault_stack.processes.items():
            assert proc.is_running(), f"{name} is not running after the scenario"
        return check_all(fault_stack, injected, personal)

    return check


@pytest.fixture(autouse=True)
def whole_again(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each scenario, start whatever it left down, so one failure does not fail the rest."""
    yield
    if "fault_stack" not in request.fixturenames:
        return
    stack: DevStack = request.getfixturevalue("fault_stack")
    stack.env_overrides.clear()
    down = [name for name, proc in stack.processes.items() if not proc.is_running()]
    if not stack.postgres.is_running() or not (stack.broker and stack.broker.is_running()) or down:
        stack.start()
