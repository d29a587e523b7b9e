#!/usr/bin/env bash
# The demo: data-action as it runs in production, on this machine only.
#   - a sample upstream: nginx serving the ten users in deploy/demo/users as static JSON, by id
#     (/users/1) and by email (/users?email=…, a list), jsonplaceholder's shapes
#   - the actions in deploy/demo/actions.yaml: the user lookup and a search by email
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
upstream=$(free_port)
socket="$work/fcgi.sock"
cp -r "$repo/deploy/demo/users" "$work/users"
# The search: one answer file per user ([user]) and a map from the encoded email to it.
python3 - "$repo/deploy/demo/users" "$work" <<'PY'
import json, os, sys, urllib.parse
users, work = sys.argv[1], sys.argv[2]
os.makedirs(f"{work}/search")
open(f"{work}/search/none.json", "w").write("[]")
with open(f"{work}/search-map.conf", "w") as search_map:
    search_map.write("map $arg_email $user_by_email {\n    default none;\n")
    for name in sorted(os.listdir(users)):
        user = json.load(open(os.path.join(users, name)))
        open(f"{work}/search/{name}.json", "w").write(json.dumps([user]))
        search_map.write(f'    "{urllib.parse.quote(user["email"], safe="")}" {name};\n')
    search_map.write("}\n")
PY
chmod -R a+rX "$work/users" "$work/search"

# The allowlist, from a Genesys-shaped ipranges answer in which 127.0.0.1 is a data-actions range.
echo '{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"demo"},{"cidr":"127.0.0.2/32","service":"smtp","region":"demo"}]}' \
  | "$binary" allowlist --input - --region demo --output "$work/genesys-allowlist.conf" >/dev/null

shipped_location "$socket"
{ nginx_scratch_main 1 256; cat <<NGINX
    include $repo/deploy/nginx/data-action-http.conf;
    include $work/search-map.conf;
    # The sample upstream (jsonplaceholder's /users/{id} and /users?email=…).
    server {
        listen 127.0.0.1:$upstream;
        location /users/ { alias $work/users/; default_type application/json; }
        location = /users { root $work/search; default_type application/json; try_files /\$user_by_email.json =404; }
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
SHARED_SECRET=$secret ACTIONS_FILE="$repo/deploy/demo/actions.yaml" USERS_API_URL="http://127.0.0.1:$upstream" WORKERS=8 \
  spawn-fcgi -n -s "$socket" -M 0666 -- "$binary" serve 2>"$work/service.log" &
pids+=($!)

# Ready when the service says it listens and nginx answers its health check.
wait_until_serving "$work/service.log" "$front"

call() {
  local title=$1 action=$2 authorization=$3 body=$4; shift 4
  printf '\n=== %s\n$ curl -X POST http://…/data-action/%s -d %s %s\n' "$title" "$action" "$body" "$*"
  curl -s -i -X POST "http://127.0.0.1:$front/data-action/$action" \
    -H "Authorization: $authorization" -H 'Content-Type: application/json' \
    -H "ININ-Correlation-Id: demo-$RANDOM" -H 'ININ-Organization-Id: 5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab' \
    -d "$body" "$@" | tr -d '\r' | grep -v -i -E '^(server|date|connection|transfer-encoding):'
  echo
}

echo "data-action $("$binary" --version): nginx on http://127.0.0.1:$front, service on $socket,"
echo "upstream http://127.0.0.1:$upstream/users, actions deploy/demo/actions.yaml:"
ACTIONS_FILE="$repo/deploy/demo/actions.yaml" USERS_API_URL="http://127.0.0.1:$upstream" SHARED_SECRET=$secret \
  "$binary" check-config | grep -E '^(action|upstream) '
call "A user that exists (the body Genesys sends by default)" user-lookup "Bearer $secret" '{"userId":"1"}'
call "The tutorial's envelope, another user" user-lookup "Bearer $secret" '{"inputs":{"userId":"2"}}'
call "A user that does not exist: still 200, userFound false" user-lookup "Bearer $secret" '{"userId":"999"}'
call "A path trick in the user id" user-lookup "Bearer $secret" '{"userId":"../../etc/passwd"}'
call "A search that answers a list: the first match's fields, typed" user-by-email "Bearer $secret" '{"email":"Sincere@april.biz"}'
call "A search with no match (an empty list): 200, userFound false" user-by-email "Bearer $secret" '{"email":"nobody@example.com"}'
call "An input against its rule" user-by-email "Bearer $secret" '{"email":"not-an-email"}'
call "An action that is not declared" customer-by-phone "Bearer $secret" '{"phone":"+15551234567"}'
call "The wrong secret" user-lookup "Bearer not-the-secret" '{"userId":"1"}'
call "A caller outside the Genesys allowlist (from 127.0.0.2)" user-lookup "Bearer $secret" '{"userId":"1"}' --interface 127.0.0.2

printf '\n=== The Genesys Cloud actions to import (Admin > Integrations > Actions > Import), one file each\n'
printf '$ data-action export --actions deploy/demo/actions.yaml --url-base https://data-action.example.com --output genesys/\n'
ACTIONS_FILE="$repo/deploy/demo/actions.yaml" "$binary" export --url-base https://data-action.example.com --output "$work/genesys"
ls "$work/genesys"
printf '$ cat genesys/user-by-email.json\n'
cat "$work/genesys/user-by-email.json"

printf '\n=== Monitoring (this host and monitoring-allow.conf only): readiness, and the metrics of the calls above\n'
printf '$ curl http://…/readyz\n'
curl -s "http://127.0.0.1:$front/readyz"
printf '\n$ curl http://…/metrics | grep -E "^data_action_(requests|upstream_calls)_total" | grep -v " 0$"\n'
curl -s "http://127.0.0.1:$front/metrics" | grep -E '^data_action_(requests|upstream_calls)_total' | grep -v ' 0$' | sort
printf '$ curl --interface 127.0.0.2 http://…/metrics   (from outside)\n'
curl -s -o /dev/null -w '%{http_code}\n' --interface 127.0.0.2 "http://127.0.0.1:$front/metrics"

printf '\n=== nginx access log (correlation ids)\n'
cat "$work/access.log"
printf '\n=== service log (the journal under systemd)\n'
cat "$work/service.log"

if [ -t 0 ]; then
  printf '\nRunning. Try:\n  curl -X POST http://127.0.0.1:%s/data-action/user-by-email -H "Authorization: Bearer %s" -d %s\nCtrl-C stops everything.\n' \
    "$front" "$secret" "'{\"email\":\"Shanna@melissa.tv\"}'"
  tail -n 0 -f "$work/service.log"
fi
