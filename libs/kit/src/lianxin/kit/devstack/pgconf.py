"""Configuration files of the embedded PostgreSQL, rewritten at every start so the code is the
single source of truth (a hand edit of postgresql.conf is overridden by the include below)."""

from __future__ import annotations

from pathlib import Path

INCLUDE_FILE = "lianxin.conf"
INCLUDE_LINE = f"include_if_exists = '{INCLUDE_FILE}'"

_HBA = """\
# Written by lianxin.kit.devstack: trust, but only over the unix socket and 127.0.0.1.
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
"""


def server_conf(*, port: int, socket_dir: Path, durable: bool) -> str:
    """postgresql.conf settings for a dev/test server on a small (2-core) machine."""
    # durable=False is for throw-away test clusters: skipping fsync only matters if the whole
    # machine crashes; a killed postmaster still recovers committed data from the WAL.
    sync = "on" if durable else "off"
    return f"""\
# Written by lianxin.kit.devstack at every start; change the code, not this file.
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
# The server runs as another system user than the one connecting over the socket (root).
unix_socket_permissions = 0777
max_connections = 200
shared_buffers = 128MB
work_mem = 8MB
maintenance_work_mem = 64MB
effective_cache_size = 512MB
# Two cores: parallel plans only add latency to the small queries of dev and tests.
max_parallel_workers_per_gather = 0
fsync = {sync}
full_page_writes = {sync}
synchronous_commit = on
max_wal_size = 512MB
# After a crash, sync the data dir with one syncfs() instead of an fsync per file (seconds).
recovery_init_sync_method = syncfs
logging_collector = off
log_destination = 'stderr'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
log_lock_waits = on
# Error texts stay English so our start-up retries can recognise them.
lc_messages = 'C'
"""


def write_config(datadir: Path, *, port: int, socket_dir: Path, durable: bool) -> None:
    """Write lianxin.conf and pg_hba.conf; include lianxin.conf from postgresql.conf once."""
    main = datadir / "postgresql.conf"
    text = main.read_text()
    if INCLUDE_LINE not in text:
        main.write_text(text.rstrip("\n") + f"\n\n# lianxin dev stack settings\n{INCLUDE_LINE}\n")
    (datadir / INCLUDE_FILE).write_text(server_conf(port=port, socket_dir=socket_dir,
                                                    durable=durable))
    (datadir / "pg_hba.conf").write_text(_HBA)
