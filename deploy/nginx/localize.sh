#!/bin/sh
# Prints deploy/nginx/data-action.conf with its installation paths replaced, for running the
# shipped snippet somewhere else (the demo, the tests): the same file, never a copy.
#   localize.sh SOCKET ALLOWLIST ACCESS_LOG [MONITORING_ALLOW]
# MONITORING_ALLOW defaults to the shipped monitoring-allow.conf (this host only).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sed -e "s|/run/data-action/fcgi.sock|$1|g" \
    -e "s|/etc/nginx/data-action/genesys-allowlist.conf|$2|g" \
    -e "s|/var/log/nginx/data-action.access.log|$3|g" \
    -e "s|/etc/nginx/data-action/monitoring-allow.conf|${4:-$here/monitoring-allow.conf}|g" \
    "$here/data-action.conf"
