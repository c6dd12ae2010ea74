"""The dev stack's data folder (default `<repo>/.lianxin/`, env LIANXIN_DATA_DIR overrides):
`pg/` PostgreSQL, `logs/` one file per process, `secret` the JWT key, `pii_keys`,
`blind_index_key` and `link_token_secret` the personal-data keys, `ports.json` the ports."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from lianxin.kit.devstack.ports import PortBook
from lianxin.kit.pii import new_key_spec
from lianxin.kit.settings import DEV_SECRET_PREFIX


def repo_root(start: Path | None = None) -> Path | None:
    """The workspace root (the folder with uv.lock and gateway/) above `start` or this file."""
    candidates = [start or Path.cwd(), Path(__file__).resolve()]
    for origin in candidates:
        for folder in [origin, *origin.parents]:
            if (folder / "uv.lock").is_file() and (folder / "services").is_dir():
                return folder
    return None


def default_data_dir() -> Path:
    """LIANXIN_DATA_DIR, else `<repo>/.lianxin`, else `./.lianxin`."""
    if env := os.environ.get("LIANXIN_DATA_DIR"):
        return Path(env).expanduser().absolute()
    return (repo_root() or Path.cwd()) / ".lianxin"


class DataDir:
    """Paths and small persistent state inside one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()
        self.pg = self.root / "pg"
        self.logs = self.root / "logs"
        self.ports = PortBook(self.root / "ports.json")

    def create(self) -> DataDir:
        """Create the folder and its logs/ (idempotent)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        return self

    def secret(self) -> str:
        """The folder's JWT secret, created on first use, so tokens survive restarts."""
        return self._kept("secret", lambda: DEV_SECRET_PREFIX + secrets.token_urlsafe(32))

    def pii_env(self) -> dict[str, str]:
        """The personal-data keys (LIANXIN_PII_KEYS …), created on first use and kept: data
        encrypted in one run must open in the next."""
        return {
            "LIANXIN_PII_KEYS": self._kept("pii_keys", lambda: new_key_spec(f"{DEV_SECRET_PREFIX}1")),
            "LIANXIN_BLIND_INDEX_KEY": self._kept(
                "blind_index_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()),
            "LIANXIN_LINK_TOKEN_SECRET": self._kept(
                "link_token_secret", lambda: DEV_SECRET_PREFIX + secrets.token_urlsafe(32)),
        }

    def _kept(self, name: str, make: Callable[[], str]) -> str:
        path = self.root / name
        if path.exists():
            return path.read_text().strip()
        self.root.mkdir(parents=True, exist_ok=True)
        value = make()
        tmp = self.root / f".{name}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        # link() fails if the file exists: two processes racing agree on the winner's value,
        # and nobody ever reads a half-written file.
        try:
            os.link(tmp, path)
        except FileExistsError:
            value = path.read_text().strip()
        finally:
            tmp.unlink()
        return value
