#!/bin/sh
# Prints deploy/nginx/data-action.conf with its three installation paths replaced, for running
# the shipped snippet somewhere else (the demo, the tests): the same file, never a copy.
#   localize.sh SOCKET ALLOWLIST ACCESS_LOG
set -eu
here=$(dirname "$0")
sed -e "s|/run/data-action/fcgi.sock|$1|g" \
    -e "s|/etc/nginx/data-action/genesys-allowlist.conf|$2|g" \
    -e "s|/var/log/nginx/data-action.access.log|$3|g" \
    "$here/data-action.conf"
