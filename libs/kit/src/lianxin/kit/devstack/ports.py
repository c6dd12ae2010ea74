"""Free TCP ports on 127.0.0.1, and a small JSON file that remembers which ones a data folder used.

Ports are picked by binding to port 0 and releasing it, so another process can grab the port
before our child binds it; callers treat "address in use" from a child as a reason to pick again.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path

HOST = "127.0.0.1"
# Words a server prints when its port was taken between our check and its bind.
ADDR_IN_USE_MARKERS = ("address already in use", "addrinuse", "errno 98", "eaddrinuse")


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port and we could bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR like the servers we start, so TIME_WAIT leftovers don't count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def port_accepts(port: int, timeout: float = 0.5) -> bool:
    """True when a TCP connection to 127.0.0.1:port succeeds."""
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=timeout):
        return True
    return False


def says_address_in_use(text: str) -> bool:
    """True when a log excerpt reports a failed bind because the port was taken."""
    low = text.lower()
    return any(marker in low for marker in ADDR_IN_USE_MARKERS)


class PortBook:
    """Ports remembered in a JSON file so restarts of the same data folder reuse them."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return {k: int(v) for k, v in data.items() if isinstance(v, int)}

    def get(self, name: str) -> int | None:
        """The port last recorded for `name`, if any."""
        return self._read().get(name)

    def choose(self, name: str) -> int:
        """The recorded port for `name` when it is still free, else a new free one (recorded)."""
        recorded = self.get(name)
        if recorded is not None and port_is_free(recorded):
            return recorded
        return self.record(name, free_port())

    def record(self, name: str, port: int) -> int:
        """Remember `port` for `name`; written atomically so a crash never leaves half a file."""
        data = self._read()
        if data.get(name) != port:
            data[name] = port
            self._write(data)
        return port

    def forget(self, name: str) -> None:
        """Drop the record for `name`, so the next choose() picks a new port."""
        data = self._read()
        if data.pop(name, None) is not None:
            self._write(data)

    def _write(self, data: dict[str, int]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.path)
