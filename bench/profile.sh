#!/usr/bin/env bash
# Where an uncached (or cached) lookup's time goes: the service behind nginx under wrk, sampled
# with perf, and the top symbols of the responder process written out.
#
#   bench/profile.sh PATH-TO-RELEASE-data-action [uncached|cached] [ANSWER_FILE]
#
# The upstream is nginx serving deploy/demo/users (or ANSWER_FILE as user 1) as static JSON,
# the same as make bench's. Settings (environment): PROFILE_SECONDS (10), PROFILE_CONNECTIONS
# (32), PROFILE_FREQUENCY (2000 Hz), PROFILE_TOP (25), PROFILE_DATA (a path to keep perf.data at).
# Prints the top symbols by self time with their share of the responder's samples (Swift names
# demangled), then the shares by library.
set -euo pipefail

binary=${1:?usage: profile.sh PATH-TO-data-action [uncached|cached] [ANSWER_FILE]}
mode=${2:-uncached}
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${PROFILE_SECONDS:-10}
connections=${PROFILE_CONNECTIONS:-32}
frequency=${PROFILE_FREQUENCY:-2000}
top=${PROFILE_TOP:-25}

. "$repo/deploy/demo/scratch.sh" profile

secret=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
org=5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab
upstream_port=$(free_port)
front_port=$(free_port)
cp -r "$repo/deploy/demo/users" "$work/users"
[ -z "${3:-}" ] || cp "$3" "$work/users/1"
chmod -R a+rX "$work/users"
cp /etc/nginx/fastcgi_params "$work/fastcgi_params"
{ nginx_scratch_main auto 4096; cat <<NGINX
    server { listen 127.0.0.1:$upstream_port; location /users/ { alias $work/users/; default_type application/json; } }
    server { listen 127.0.0.1:$front_port; location ~ ^/(data-action/user-lookup|healthz)$ { include $work/fastcgi_params; fastcgi_pass unix:$work/service.sock; } }
}
NGINX
} >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"

cache=()
[ "$mode" = cached ] && cache=(CACHE_TTL_SECONDS=300)
env -i PATH="$PATH" SHARED_SECRET="$secret" GENESYS_ORG_ID="$org" EXTERNAL_API_URL="http://127.0.0.1:$upstream_port/users" "${cache[@]}" \
  "$binary" serve --socket "$work/service.sock" 2>"$work/service.log" &
service_pid=$!
pids+=($service_pid)
wait_until_serving "$work/service.log" "$front_port"

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"userId":"1"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $secret"
wrk.headers["ININ-Organization-Id"] = "$org"
wrk.headers["ININ-Correlation-Id"] = "profile"
LUA
url="http://127.0.0.1:$front_port/data-action/user-lookup"
wrk -t2 -c"$connections" -d3s -s "$work/post.lua" "$url" >/dev/null   # warm up
wrk -t2 -c"$connections" -d"$((seconds + 2))s" -s "$work/post.lua" "$url" >"$work/wrk.txt" &
wrk_pid=$!
sleep 1
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$service_pid/stat"; }
ticks_before=$(cpu_ticks)
perf record -F "$frequency" -g -p "$service_pid" -o "$work/perf.data" -- sleep "$seconds" 2>"$work/perf.log"
ticks_after=$(cpu_ticks)
wait "$wrk_pid"
[ -z "${PROFILE_DATA:-}" ] || cp "$work/perf.data" "$PROFILE_DATA"
set +o pipefail   # head ends the reports early
rate=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.txt")
cpu=$(awk -v ticks=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v rate="$rate" -v seconds="$seconds" \
  'BEGIN { printf "%.0f", ticks / hz * 1e6 / (rate * seconds) }')
echo "# $mode, $connections connections, $seconds s at $frequency Hz: $rate requests/s, $cpu µs of the responder's CPU per request (perf's own cost included)"
echo "## top symbols by self time (share of the responder's samples)"
perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -"$top" | sed 's/ *- *- *$//' | swift demangle --simplified
echo "## by library"
perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12
