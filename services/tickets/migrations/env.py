from lianxin.kit.migrations import run_env
from lianxin.tickets.adapters.tables import metadata

run_env(metadata)
