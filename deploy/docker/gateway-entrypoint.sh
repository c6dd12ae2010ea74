#!/bin/sh
# Starts the Hive Gateway on 0.0.0.0:${PORT:-4000} with the baked-in supergraph and config.
# Extra arguments go to hive-gateway (e.g. --help).
set -eu
cd /gateway
exec node_modules/.bin/hive-gateway supergraph ./supergraph.graphql -c ./gateway.config.ts \
    --host 0.0.0.0 --port "${PORT:-4000}" "$@"
