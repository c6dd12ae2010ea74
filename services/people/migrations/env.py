from lianxin.kit.migrations import run_env
from lianxin.people.adapters.tables import metadata

run_env(metadata)
