#!/usr/bin/env bash
# make bench: wrk through nginx on loopback against five targets, side by side, same duration
# and connections, several interleaved rounds; then memory over 1M requests and a burst of 256
# concurrent calls with a 1-second upstream. Writes bench/RESULTS.md.
#
#   bench/run.sh PATH-TO-RELEASE-data-action
#
# Targets, each its own nginx server with the same minimal FastCGI location:
#   ceiling     nginx `return 200` of the service's answer (no FastCGI at all)
#   floor       bench/floor.c: a threaded C libfcgi responder answering fixed JSON
#   curl-floor  bench/floor.c with one kept-alive libcurl GET per lookup to the same upstream
#   uncached    data-action (the built-in user lookup), its upstream nginx serving deploy/demo/users as static JSON
#   cached      the same with CACHE_TTL_SECONDS=300, warmed before measuring
#   cached-metrics-off  the same with METRICS=false: what counting costs, measured in the same rounds
#   curl-floor-4k, uncached-4k  the libcurl floor and the uncached service with a 4 KiB upstream
#               answer (bench/users-4k/1, a CRM contact), where reading the answer shows; the floor
#               finds its three fields with a plain scan (strstr), the service parses the JSON
# With BENCH_BASELINE=PATH-TO-ANOTHER-data-action (an earlier build), before-uncached and
# before-cached run that binary the same way, in the same rounds.
#
# Settings (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_ROUNDS (3), BENCH_LATENCY_DURATION (5s, the one-connection pass), BENCH_MEMORY_REQUESTS
# (1000000), BENCH_BURST (256).
set -euo pipefail

binary=${1:?usage: run.sh PATH-TO-data-action}
repo=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
rounds=${BENCH_ROUNDS:-3}
memory_requests=${BENCH_MEMORY_REQUESTS:-1000000}
burst=${BENCH_BURST:-256}
latency_duration=${BENCH_LATENCY_DURATION:-5s}

. "$repo/deploy/demo/scratch.sh" bench

export BENCH_SECRET
BENCH_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
export BENCH_ORG=5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab
declare -A port
targets="ceiling floor curl-floor uncached cached cached-metrics-off curl-floor-4k uncached-4k${BENCH_BASELINE:+ before-uncached before-cached}"
for name in $targets burst upstream; do port[$name]=$(free_port); done
slow_port=$(free_port)

cc -O2 -Wall -o "$work/floor" "$repo/bench/floor.c" -lfcgi -lcurl -lpthread
cp -r "$repo/deploy/demo/users" "$work/users"
cp -r "$repo/bench/users-4k" "$work/users-4k"
chmod -R a+rX "$work/users" "$work/users-4k"
answer=$(cat "$work/users/1" | python3 -c '
import json, sys
user = json.load(sys.stdin)
print(json.dumps({"outputs": {"userEmail": user["email"], "userFound": True, "userName": user["name"], "userPhone": user["phone"]}}, separators=(",", ":"), sort_keys=True))')

location() { # the same location for every FastCGI target, and /metrics for timing a scrape
  printf 'server { listen 127.0.0.1:%s; location ~ ^/(data-action/user-lookup|metrics)$ { include %s/fastcgi_params; fastcgi_pass unix:%s; } }\n' \
    "$1" "$work" "$2"
}
cp /etc/nginx/fastcgi_params "$work/fastcgi_params"
{ nginx_scratch_main auto 4096; cat <<NGINX
    server {
        listen 127.0.0.1:${port[upstream]};
        location /users/ { alias $work/users/; default_type application/json; }
        location /users-4k/ { alias $work/users-4k/; default_type application/json; }
    }
    server {
        listen 127.0.0.1:${port[ceiling]};
        location = /data-action/user-lookup {
            default_type "application/json; charset=utf-8";
            add_header Cache-Control no-store;
            return 200 '$answer';
        }
    }
    $(for name in $targets burst; do [ "$name" = ceiling ] || location "${port[$name]}" "$work/$name.sock"; done)
}
NGINX
} >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"

start_floor() { # name, arguments...
  local name=$1; shift
  spawn-fcgi -n -s "$work/$name.sock" -M 0666 -- "$work/floor" "$@" >/dev/null 2>&1 &
  pids+=($!)
  echo $! >"$work/$name.pid"   # spawn-fcgi -n execs the responder in its own process
}
start_floor floor 64
start_floor curl-floor 64 "http://127.0.0.1:${port[upstream]}/users"
start_floor curl-floor-4k 64 "http://127.0.0.1:${port[upstream]}/users-4k"
service() { # name, extra environment...
  local name=$1; shift
  local program=$binary
  [ "${name#before-}" = "$name" ] || program=$BENCH_BASELINE
  env -i PATH="$PATH" SHARED_SECRET="$BENCH_SECRET" GENESYS_ORG_ID="$BENCH_ORG" \
    EXTERNAL_API_URL="http://127.0.0.1:${port[upstream]}/users" "$@" \
    "$program" serve --socket "$work/$name.sock" 2>"$work/$name.log" &
  pids+=($!)
  echo $! >"$work/$name.pid"
}
service uncached
service uncached-4k EXTERNAL_API_URL="http://127.0.0.1:${port[upstream]}/users-4k"
service cached CACHE_TTL_SECONDS=300
service cached-metrics-off CACHE_TTL_SECONDS=300 METRICS=false
if [ -n "${BENCH_BASELINE:-}" ]; then
  service before-uncached
  service before-cached CACHE_TTL_SECONDS=300
fi

# The 1-second upstream for the burst: a threaded HTTP server that sleeps, then answers user 1.
python3 - "$slow_port" "$work/users/1" >"$work/slow.log" 2>&1 <<'PY' &
import http.server, socketserver, sys, time
body = open(sys.argv[2], "rb").read()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(1)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
pids+=($!)
service burst WORKERS="$burst" EXTERNAL_API_URL="http://127.0.0.1:$slow_port/users"

call() { # port → status of one Genesys-shaped call
  curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$1/data-action/user-lookup" \
    -H "Authorization: Bearer $BENCH_SECRET" -H 'Content-Type: application/json' \
    -H "ININ-Organization-Id: $BENCH_ORG" -d '{"userId":"1"}' || true
}
for name in $targets burst; do
  for _ in $(seq 1 400); do [ "$(call "${port[$name]}")" = 200 ] && break; sleep 0.05; done
  [ "$(call "${port[$name]}")" = 200 ] || { echo "bench: $name does not answer 200" >&2; cat "$work/$name.log" >&2 || true; exit 1; }
done

results="$work/results.tsv"
printf 'round\ttarget\tconnections\trequests\tduration_us\tp50_us\tp99_us\tnon2xx\tsocket_errors\tcpu_ticks\n' >"$results"
run_wrk() { # port, duration, connections → RESULT fields
  wrk -t"$(( $3 < threads ? $3 : threads ))" -c"$3" -d"$2" -s "$repo/bench/post.lua" "http://127.0.0.1:$1/data-action/user-lookup" \
    | sed -n 's/^RESULT //p'
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
ticks() { # CPU time (user + system, in clock ticks) of a target's process; 0 for nginx
  [ -f "$work/$1.pid" ] && awk '{print $14 + $15}' "/proc/$(cat "$work/$1.pid")/stat" || echo 0
}
measure() { # round, target, connections, duration
  local before line
  before=$(ticks "$2")
  line=$(run_wrk "${port[$2]}" "$4" "$3")
  printf '%s\t%s\t%s' "$1" "$2" "$3" >>"$results"
  for key in requests duration_us p50_us p99_us non2xx socket_errors; do printf '\t%s' "$(field "$key" "$line")" >>"$results"; done
  printf '\t%s\n' "$(( $(ticks "$2") - before ))" >>"$results"
  echo "round $1 $2 (${3} connections): $line" >&2
}
for round in $(seq 1 "$rounds"); do
  for name in $targets; do measure "$round" "$name" "$connections" "$duration"; done
  # One connection: no queueing, so latency is each target's own time per request.
  for name in $targets; do measure "$round" "$name" 1 "$latency_duration"; done
done
rss() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$(cat "$work/$1.pid")/status"; }

# One scrape of the cached target's /metrics after all its calls, 100 times: its size and time.
scrape_bytes=$(curl -s "http://127.0.0.1:${port[cached]}/metrics" | wc -c)
scrape_ms=$(for _ in $(seq 1 100); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:${port[cached]}/metrics"; done \
  | sort -n | awk '{ t[NR] = $1 } END { printf "%.2f", t[int((NR + 1) / 2)] * 1000 }')
echo "scrape: $scrape_bytes bytes, median $scrape_ms ms" >&2
peak_uncached=$(rss uncached VmHWM)
peak_cached=$(rss cached VmHWM)

# Memory over many requests (uncached: the whole path), sampled at 100k and at the end.
total=0 rss_100k="" rss_100k_at=0
while [ "$total" -lt "$memory_requests" ]; do
  line=$(run_wrk "${port[uncached]}" 5s "$connections")
  total=$((total + $(field requests "$line")))
  if [ -z "$rss_100k" ] && [ "$total" -ge 100000 ]; then rss_100k=$(rss uncached VmRSS); rss_100k_at=$total; fi
done
rss_end=$(rss uncached VmRSS)
echo "memory: ${rss_100k:-?} kB at $rss_100k_at requests, $rss_end kB at $total" >&2

# The burst: $burst calls at once, each waiting 1 s upstream, through nginx.
for i in $(seq 1 "$burst"); do
  [ "$i" = 1 ] || printf 'next\n'
  printf 'url = "http://127.0.0.1:%s/data-action/user-lookup"\nrequest = "POST"\ndata = "{\\"userId\\":\\"1\\"}"\n' "${port[burst]}"
  printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\nheader = "ININ-Organization-Id: %s"\n' "$BENCH_SECRET" "$BENCH_ORG"
  printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
done >"$work/burst.curl"
started=$(date +%s.%N)
curl -s --parallel --parallel-immediate --parallel-max "$burst" -K "$work/burst.curl" >"$work/burst.status" || true
ended=$(date +%s.%N)
burst_ok=$(grep -c '^200$' "$work/burst.status" || true)
burst_seconds=$(python3 -c "print(f'{$ended - $started:.2f}')")
echo "burst: $burst_ok of $burst answered 200 in $burst_seconds s" >&2

python3 "$repo/bench/report.py" "$results" "$repo/bench/RESULTS.md" \
  duration="$duration" connections="$connections" threads="$threads" rounds="$rounds" \
  peak_uncached_kb="$peak_uncached" peak_cached_kb="$peak_cached" \
  rss_100k_kb="${rss_100k:-0}" rss_100k_at="${rss_100k_at:-0}" rss_end_kb="$rss_end" rss_end_at="$total" \
  burst="$burst" burst_ok="$burst_ok" burst_seconds="$burst_seconds" binary="$binary" baseline="${BENCH_BASELINE:-}" \
  scrape_bytes="$scrape_bytes" scrape_ms="$scrape_ms"
