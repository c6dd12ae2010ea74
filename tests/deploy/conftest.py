"""Static checks of the deployment files (docker-compose, Kubernetes): no Docker engine or cluster
is needed; they compare the manifests with what the code reads and runs."""

from __future__ import annotations

import sys
from pathlib import Path

# `catalog` and other helpers beside this file import by name (pytest's importlib mode does not
# put test folders on sys.path by itself).
sys.path.insert(0, str(Path(__file__).parent))
