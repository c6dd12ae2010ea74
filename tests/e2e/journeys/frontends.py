"""The front ends as the journeys drive them, on real GraphQL client libraries (gql 4).

- `App`: the cadre app, the analysts' tools — named operations with variables over HTTP
  (gql's HTTPXTransport), the token in the `authorization` header.
- `MiniProgram`: the residents' WeChat mini-program. It sends no GraphQL text, only the id of a
  persisted document: `{"documentId": "<id>", "variables": {...}}`, where the id is the
  lowercase hex SHA-256 of the exact bytes of clients/miniprogram/<Operation>.graphql (the
  gateway's manifest, gateway/persisted-documents.json, is generated from the same files).
- `Wall`: a subscription over graphql-transport-ws (gql's WebsocketsTransport), the token in
  connection_init's payload, read in a thread of its own so a journey can act and then wait for
  what the screen shows.

A call whose answer carries GraphQL errors raises gql's TransportQueryError (its `.errors` are
the errors with their `extensions.code`); a call whose connection fails raises
TransportConnectionFailed — the case a front end retries."""

from __future__ import annotations

import asyncio
import hashlib
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXTransport
from gql.transport.websockets import WebsocketsTransport

DOCUMENTS = Path(__file__).resolve().parents[3] / "clients" / "miniprogram"


def bearer(token: str) -> str:
    return f"Bearer {token}"


def answer(data: dict[str, Any], typename: str = "Ticket") -> dict[str, Any]:
    """A mutation's result (its one root field, a union): the expected type, or fail showing
    the UserError (code, message, field) that came instead."""
    [found] = data.values()
    assert found["__typename"] == typename, found
    result: dict[str, Any] = found
    return result


class App:
    """A front end that sends GraphQL text: each call is a named operation with variables."""

    def __init__(self, url: str, token: str) -> None:
        self.client = Client(transport=HTTPXTransport(
            url=url, headers={"authorization": bearer(token)}, timeout=30))

    def run(self, document: str, **variables: Any) -> dict[str, Any]:
        """The operation's data (TransportQueryError if the answer has errors)."""
        return self.send(GraphQLRequest(document, variable_values=variables))

    def send(self, request: GraphQLRequest) -> dict[str, Any]:
        # One connection per call, as a phone that sleeps between taps would open.
        data: dict[str, Any] = self.client.execute(request)
        return data


def persisted(name: str) -> tuple[str, str]:
    """(document id, text) of clients/miniprogram/<name>.graphql: the id is the lowercase hex
    SHA-256 of the file's exact UTF-8 bytes (the contract with gateway/persisted.mjs)."""
    raw = (DOCUMENTS / f"{name}.graphql").read_bytes()
    return hashlib.sha256(raw).hexdigest(), raw.decode("utf-8")


class PersistedRequest(GraphQLRequest):
    """A GraphQL request sent by document id: the body names the persisted document and its
    variables, never its text (gql still parses the text, as a typed client would at build time)."""

    def __init__(self, name: str, variables: dict[str, Any]) -> None:
        self.document_id, text = persisted(name)
        super().__init__(text, variable_values=variables, operation_name=name)

    @property
    def payload(self) -> dict[str, Any]:
        return {"documentId": self.document_id, "variables": self.variable_values or {}}


class MiniProgram(App):
    """The residents' mini-program: only persisted documents, by name."""

    def run(self, document: str, **variables: Any) -> dict[str, Any]:
        """`document` is the operation's name, e.g. "SubmitDemand"."""
        return self.send(PersistedRequest(document, variables))


class Wall:
    """A live subscription (e.g. the screen wall's dashboard). Use inside `with`: entering
    subscribes and waits for the first result; `until` waits for a result that satisfies a
    condition; `seen` keeps every result received, in order."""

    def __init__(self, url: str, token: str, document: str, field: str, **variables: Any) -> None:
        self.url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        self.token, self.document, self.field, self.variables = token, document, field, variables
        self.seen: list[dict[str, Any]] = []
        self._inbox: queue.Queue[dict[str, Any] | BaseException] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="wall", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def __enter__(self) -> Wall:
        self._thread.start()
        self.until(lambda _: True, "the first result (the current figures)")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(15)

    @property
    def latest(self) -> dict[str, Any]:
        return self.seen[-1]

    def until(self, condition: Callable[[dict[str, Any]], bool], what: str,
              seconds: float = 45) -> dict[str, Any]:
        """The first result from now on (or the latest one already seen) that satisfies
        `condition`; fails after `seconds` naming `what` and the last result."""
        if self.seen and condition(self.seen[-1]):
            return self.seen[-1]
        deadline = time.monotonic() + seconds
        while True:
            try:
                item = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"waited {seconds:g} s for {what}; last result: "
                                     f"{self.seen[-1] if self.seen else None}") from None
            if isinstance(item, BaseException):
                raise AssertionError(f"the subscription ended while waiting for {what}") from item
            self.seen.append(item)
            if condition(item):
                return item

    def _run(self) -> None:
        asyncio.run(self._subscribe())

    async def _subscribe(self) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        transport = WebsocketsTransport(
            url=self.url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"authorization": bearer(self.token)})
        try:
            async with Client(transport=transport) as session:
                request = GraphQLRequest(self.document, variable_values=self.variables)
                async for data in session.subscribe(request):
                    self._inbox.put(data[self.field])
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # handed to the waiting test, which fails with it
            self._inbox.put(exc)
