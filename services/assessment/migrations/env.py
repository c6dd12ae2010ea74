from lianxin.assessment.adapters.tables import metadata
from lianxin.kit.migrations import run_env

run_env(metadata)
