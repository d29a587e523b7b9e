#!/usr/bin/env bash
# Two builds of the service measured side by side: both behind one nginx with one upstream,
# both under load at the same time, so what the machine does to a round it does to both.
#
#   bench/paired.sh PATH-TO-BEFORE|floor PATH-TO-AFTER [ROUNDS] [SECONDS]
#
# Rounds of make bench scatter by ±15% on a small machine, more than most single changes; a
# paired round does not, because the noise hits both builds at once. Each round runs one wrk
# per build (PAIRED_CONNECTIONS each, 16 by default) for SECONDS (7), and reads the CPU each
# process used in its middle from /proc/PID/task/*/schedstat (nanoseconds, user and system).
# Prints per round each build's requests/s and CPU µs per answered request, and after ÷ before.
# The same binary given twice reads within ±2%.
#
# BEFORE may be the word `floor`: the C libcurl floor of make bench (bench/floor.c, 64 threads, one
# kept-alive GET per call; uncached only), so the ratio the hot-path target is stated in is read
# in the same rounds instead of in successive ones.
#
# Settings (environment): PAIRED_MODE (uncached, or cached for CACHE_TTL_SECONDS=300),
# BEFORE_ENV / AFTER_ENV (more VAR=value words for one side: the same binary with a setting
# changed, e.g. AFTER_ENV=LOG_LEVEL=warning), PAIRED_ANSWER (a file the upstream answers for user 1
# instead of the demo's, e.g. bench/users-4k/1).
set -euo pipefail

before=${1:?usage: paired.sh PATH-TO-BEFORE|floor PATH-TO-AFTER [ROUNDS] [SECONDS]}
after=${2:?usage: paired.sh PATH-TO-BEFORE PATH-TO-AFTER [ROUNDS] [SECONDS]}
rounds=${3:-4}
seconds=${4:-7}
[ "$seconds" -ge 4 ] || { echo "paired.sh: SECONDS must be 4 or more" >&2; exit 2; }
connections=${PAIRED_CONNECTIONS:-16}
repo=$(cd "$(dirname "$0")/.." && pwd)

. "$repo/deploy/demo/scratch.sh" paired

secret=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
org=5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab
upstream_port=$(free_port)
before_port=$(free_port)
after_port=$(free_port)
cp -r "$repo/deploy/demo/users" "$work/users"
[ -z "${PAIRED_ANSWER:-}" ] || cp "$PAIRED_ANSWER" "$work/users/1"
chmod -R a+rX "$work/users"
cp /etc/nginx/fastcgi_params "$work/fastcgi_params"
{ nginx_scratch_main auto 4096; cat <<NGINX
    server { listen 127.0.0.1:$upstream_port; location /users/ { alias $work/users/; default_type application/json; } }
    server { listen 127.0.0.1:$before_port; location ~ ^/(data-action/user-lookup|healthz)$ { include $work/fastcgi_params; fastcgi_pass unix:$work/before.sock; } }
    server { listen 127.0.0.1:$after_port; location ~ ^/(data-action/user-lookup|healthz)$ { include $work/fastcgi_params; fastcgi_pass unix:$work/after.sock; } }
}
NGINX
} >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"

cache=()
[ "${PAIRED_MODE:-uncached}" = cached ] && cache=(CACHE_TTL_SECONDS=300)
start() { # NAME BINARY PORT EXTRA-ENV
  # shellcheck disable=SC2086  # the extra environment is words on purpose
  env -i PATH="$PATH" SHARED_SECRET="$secret" GENESYS_ORG_ID="$org" EXTERNAL_API_URL="http://127.0.0.1:$upstream_port/users" \
    "${cache[@]}" $4 "$2" serve --socket "$work/$1.sock" 2>"$work/$1.log" &
  pids+=($!)
  wait_until_serving "$work/$1.log" "$3"
}
if [ "$before" = floor ]; then
  [ "${PAIRED_MODE:-uncached}" = uncached ] || { echo "paired.sh: the floor has no cache: PAIRED_MODE=uncached only" >&2; exit 2; }
  cc -O2 -Wall -o "$work/floor" "$repo/bench/floor.c" -lfcgi -lcurl -lpthread
  spawn-fcgi -n -s "$work/before.sock" -M 0666 -- "$work/floor" 64 "http://127.0.0.1:$upstream_port/users" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -S "$work/before.sock" ] && break; sleep 0.05; done
else
  start before "$before" "$before_port" "${BEFORE_ENV:-}"
fi
before_pid=${pids[-1]}
start after "$after" "$after_port" "${AFTER_ENV:-}"
after_pid=${pids[-1]}

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"userId":"1"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $secret"
wrk.headers["ININ-Organization-Id"] = "$org"
wrk.headers["ININ-Correlation-Id"] = "paired"
LUA
url() { echo "http://127.0.0.1:$1/data-action/user-lookup"; }
for port in "$before_port" "$after_port"; do   # warm up
  wrk -t1 -c"$connections" -d2s -s "$work/post.lua" "$(url "$port")" >/dev/null
done

cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ sum += $1 } END { printf "%.0f", sum }'; }
echo "# ${PAIRED_MODE:-uncached}, $connections connections each, $seconds s per round; CPU over the middle $((seconds - 2)) s"
for round in $(seq 1 "$rounds"); do
  wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$(url "$before_port")" >"$work/before.txt" &
  before_wrk=$!
  wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$(url "$after_port")" >"$work/after.txt" &
  after_wrk=$!
  sleep 1
  before_start=$(cpu_ns "$before_pid"); after_start=$(cpu_ns "$after_pid")
  sleep $((seconds - 2))
  before_end=$(cpu_ns "$before_pid"); after_end=$(cpu_ns "$after_pid")
  wait "$before_wrk" "$after_wrk"
  awk -v round="$round" -v window=$((seconds - 2)) \
    -v before_rate="$(awk '/Requests\/sec/ { print $2 }' "$work/before.txt")" \
    -v after_rate="$(awk '/Requests\/sec/ { print $2 }' "$work/after.txt")" \
    -v before_ns=$((before_end - before_start)) -v after_ns=$((after_end - after_start)) 'BEGIN {
      before = before_ns / 1000 / (before_rate * window); after = after_ns / 1000 / (after_rate * window)
      printf "round %d: before %6.0f/s %5.1f µs | after %6.0f/s %5.1f µs | CPU per request after ÷ before %.3f\n",
        round, before_rate, before, after_rate, after, after / before }'
done
