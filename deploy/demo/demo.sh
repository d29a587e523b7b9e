#!/usr/bin/env bash
# The demo: data-action as it runs in production, on this machine only.
#   - a sample user directory: nginx serving the ten users in deploy/demo/users as static JSON
#   - the service on a FastCGI socket handed over on fd 0 by spawn-fcgi (as systemd's socket unit would)
#   - nginx in front with the shipped deploy/nginx snippets (paths localised by localize.sh)
#     and an allowlist written by `data-action allowlist`
#   - real Data Action calls with curl, as Genesys makes them
# On a terminal it keeps running until Ctrl-C; everything it started is stopped at the end.
set -euo pipefail

binary=${1:?usage: demo.sh PATH-TO-data-action}
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/deploy/demo/scratch.sh" demo
trap 'exit 0' INT TERM

front=$(free_port)
directory=$(free_port)
socket="$work/fcgi.sock"
cp -r "$repo/deploy/demo/users" "$work/users"
chmod -R a+rX "$work/users"

# The allowlist, from a Genesys-shaped ipranges answer in which 127.0.0.1 is a data-actions range.
echo '{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"demo"},{"cidr":"127.0.0.2/32","service":"smtp","region":"demo"}]}' \
  | "$binary" allowlist --input - --region demo --output "$work/genesys-allowlist.conf" >/dev/null

shipped_location "$socket"
{ nginx_scratch_main 1 256; cat <<NGINX
    include $repo/deploy/nginx/data-action-http.conf;
    # The sample user directory (jsonplaceholder's /users/{id}).
    server {
        listen 127.0.0.1:$directory;
        location /users/ { alias $work/users/; default_type application/json; }
    }
    # What Genesys calls (over TLS in production: see data-action-server.conf.example).
    server {
        listen 127.0.0.1:$front;
        listen 127.0.0.2:$front;
        include $work/data-action.conf;
    }
}
NGINX
} >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"

secret=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
SHARED_SECRET=$secret EXTERNAL_API_URL="http://127.0.0.1:$directory/users" WORKERS=8 \
  spawn-fcgi -n -s "$socket" -M 0666 -- "$binary" serve 2>"$work/service.log" &
pids+=($!)

# Ready when the service says it listens and nginx answers its health check.
wait_until_serving "$work/service.log" "$front"

call() {
  local title=$1 authorization=$2 body=$3; shift 3
  printf '\n=== %s\n$ curl -X POST http://…/data-action/user-lookup -d %s %s\n' "$title" "$body" "$*"
  curl -s -i -X POST "http://127.0.0.1:$front/data-action/user-lookup" \
    -H "Authorization: $authorization" -H 'Content-Type: application/json' \
    -H "ININ-Correlation-Id: demo-$RANDOM" -H 'ININ-Organization-Id: 5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab' \
    -d "$body" "$@" | tr -d '\r' | grep -v -i -E '^(server|date|connection|transfer-encoding):'
  echo
}

echo "data-action $("$binary" --version): nginx on http://127.0.0.1:$front, service on $socket,"
echo "user directory http://127.0.0.1:$directory/users"
call "A user that exists (the body Genesys sends by default)" "Bearer $secret" '{"userId":"1"}'
call "The tutorial's envelope, another user" "Bearer $secret" '{"inputs":{"userId":"2"}}'
call "A user that does not exist: still 200, userFound false" "Bearer $secret" '{"userId":"999"}'
call "A path trick in the user id" "Bearer $secret" '{"userId":"../../etc/passwd"}'
call "The wrong secret" "Bearer not-the-secret" '{"userId":"1"}'
call "A caller outside the Genesys allowlist (from 127.0.0.2)" "Bearer $secret" '{"userId":"1"}' --interface 127.0.0.2

printf '\n=== The Genesys Cloud action to import (Admin > Integrations > Actions > Import)\n'
printf '$ data-action export --url https://data-action.example.com/data-action/user-lookup\n'
"$binary" export --url https://data-action.example.com/data-action/user-lookup

printf '\n=== nginx access log (correlation ids)\n'
cat "$work/access.log"
printf '\n=== service log (the journal under systemd)\n'
cat "$work/service.log"

if [ -t 0 ]; then
  printf '\nRunning. Try:\n  curl -X POST http://127.0.0.1:%s/data-action/user-lookup -H "Authorization: Bearer %s" -d %s\nCtrl-C stops everything.\n' \
    "$front" "$secret" "'{\"userId\":\"3\"}'"
  tail -n 0 -f "$work/service.log"
fi
