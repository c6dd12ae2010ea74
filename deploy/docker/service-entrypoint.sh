#!/bin/sh
# Runs the image's service: `lianxin-$SERVICE "$@"` (SERVICE is baked in at build time).
# `lianxin …` runs the kit's own command instead (e.g. `lianxin demo`), from the same image.
set -eu
if [ "${1:-}" = "lianxin" ]; then
    shift
    exec lianxin "$@"
fi
if [ -z "${SERVICE:-}" ]; then
    echo "service-entrypoint: SERVICE is not set; build with --build-arg SERVICE=<name>" >&2
    exit 64
fi
exec "lianxin-${SERVICE}" "$@"
