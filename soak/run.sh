#!/usr/bin/env bash
# make soak: the service as it runs in production (spawn-fcgi socket, nginx with the shipped
# snippets in front, an upstream with every fault, two actions) under SOAK_SECONDS of mixed traffic, then
# the report from soak/drive.py. Exits non-zero unless every verdict passed.
#   soak/run.sh PATH-TO-data-action
# Settings (environment): SOAK_SECONDS (600), SOAK_RATE (300 requests/s), SOAK_CALLERS (24),
# SOAK_REPORT (where the JSON report is copied), SOAK_LOG_DIR (where the three logs are copied,
# for the test that searches them), SOAK_SHARED_SECRET, SOAK_UPSTREAM_CREDENTIAL, SOAK_CANARY
# (random unless given: the test gives its own, to search for them itself), SOAK_DASHBOARD (a PNG:
# a real Prometheus scrapes the service every 2 s during the soak, and deploy/grafana/render.py
# draws the Grafana dashboard's panels from it; needs prometheus and python3-matplotlib).
set -euo pipefail

binary=${1:?usage: soak/run.sh PATH-TO-data-action}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/deploy/demo/scratch.sh" soak

random_hex() { python3 -c "import secrets; print(secrets.token_hex($1))"; }
secret=${SOAK_SHARED_SECRET:-$(random_hex 24)}
credential=${SOAK_UPSTREAM_CREDENTIAL:-$(random_hex 20)}
canary=${SOAK_CANARY:-$(random_hex 16)}
org=5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab
front=$(free_port)
socket="$work/fcgi.sock"

# The upstream, with every fault the contract names (see soak/upstream.py).
CLIENT_SECRET="$credential" python3 "$repo/soak/upstream.py" >"$work/upstream.port" 2>"$work/upstream.log" &
pids+=($!)

# nginx with the shipped snippets; 127.0.0.1 is the "Genesys" range.
echo '{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"soak"}]}' \
  | "$binary" allowlist --input - --region soak --output "$work/genesys-allowlist.conf" >/dev/null
shipped_location "$socket"
{ nginx_scratch_main 2 1024; cat <<NGINX
    include $repo/deploy/nginx/data-action-http.conf;
    server {
        listen 127.0.0.1:$front;
        include $work/data-action.conf;
    }
}
NGINX
} >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"

for _ in $(seq 1 200); do [ -s "$work/upstream.port" ] && break; sleep 0.05; done
upstream=$(cat "$work/upstream.port")

# The service, configured as an installation would be, with two actions (soak/actions.yaml: the
# user lookup and a PATCH, on an OAuth2 upstream) and two choices for the soak: a 1 s upstream deadline (so timeouts
# cost seconds, not minutes) and an 8 KiB body limit (so the service's own 413 is reachable
# below nginx's 64k).
SHARED_SECRET=$secret GENESYS_ORG_ID=$org ACTIONS_FILE="$repo/soak/actions.yaml" \
  SOAK_UPSTREAM_URL="http://127.0.0.1:$upstream" SOAK_TOKEN_URL="http://127.0.0.1:$upstream/oauth2/token" \
  SOAK_CLIENT_SECRET="$credential" MAX_BODY_BYTES=8192 \
  spawn-fcgi -n -s "$socket" -M 0666 -- "$binary" serve 2>"$work/service.log" &
service=$!
pids+=($service)
wait_until_serving "$work/service.log" "$front"

if [ -n "${SOAK_DASHBOARD:-}" ]; then
  prometheus_port=$(free_port)
  printf 'global: { scrape_interval: 2s }\nscrape_configs:\n  - job_name: data-action\n    static_configs: [{ targets: ["127.0.0.1:%s"] }]\n' \
    "$front" >"$work/prometheus.yml"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn 2>"$work/prometheus.log" &
  pids+=($!)
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$prometheus_port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  soak_started=$(date +%s)
fi

echo "soak: $("$binary" --version) for ${SOAK_SECONDS:-600} s at ${SOAK_RATE:-300} requests/s through nginx on :$front"
status=0
python3 "$repo/soak/drive.py" --port "$front" --seconds "${SOAK_SECONDS:-600}" --rate "${SOAK_RATE:-300}" \
  --callers "${SOAK_CALLERS:-24}" --secret "$secret" --org "$org" --canary "$canary" \
  --upstream-credential "$credential" --service-pid "$service" --nginx-pid "$(cat "$work/nginx.pid")" \
  --log "$work/service.log" --log "$work/access.log" --log "$work/error.log" --report "$work/report.json" || status=$?

if [ -n "${SOAK_DASHBOARD:-}" ]; then
  soak_ended=$(date +%s)
  # Until Prometheus has scraped after the last call.
  for _ in $(seq 1 100); do
    last=$(curl -fs "http://127.0.0.1:$prometheus_port/api/v1/query?query=timestamp(up)" \
      | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')
    [ "$last" -gt "$soak_ended" ] && break
    sleep 0.5
  done
  python3 "$repo/deploy/grafana/render.py" "$repo/deploy/grafana/data-action.json" "http://127.0.0.1:$prometheus_port" \
    "$soak_started" "$soak_ended" "$SOAK_DASHBOARD" || status=1
fi

if ! kill -0 "$service" 2>/dev/null; then
  echo "soak: the service is no longer running" >&2
  status=1
fi
[ -n "${SOAK_REPORT:-}" ] && cp "$work/report.json" "$SOAK_REPORT"
if [ -n "${SOAK_LOG_DIR:-}" ]; then
  mkdir -p "$SOAK_LOG_DIR"
  cp "$work/service.log" "$work/access.log" "$work/error.log" "$SOAK_LOG_DIR/"
fi
exit $status
