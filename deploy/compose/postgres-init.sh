#!/bin/bash
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# one database per service, owned by POSTGRES_USER. The services' `prestart` creates the tables.
set -euo pipefail
for db in people tickets assessment; do
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\""
done
