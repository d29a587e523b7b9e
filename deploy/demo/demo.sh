#!/usr/bin/env bash
# Runs data-action the way Genesys Cloud uses it, on this machine only:
# a sample user directory on loopback, the service on a FastCGI unix socket,
# and a few Data Action calls sent over FastCGI with cgi-fcgi (libfcgi-bin).
# Everything it starts is stopped again when it ends.
set -euo pipefail

binary=${1:?usage: demo.sh PATH-TO-data-action}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/data-action-demo.XXXXXX)
socket="$work/fcgi.sock"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A free loopback port for the sample directory.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/root"
cp -r "$here/users" "$work/root/users"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/root" >"$work/upstream.log" 2>&1 &
pids+=($!)

export SHARED_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
export EXTERNAL_API_URL="http://127.0.0.1:$port/users"
export WORKERS=8
"$binary" serve --socket "$socket" 2>"$work/service.log" &
pids+=($!)

# Ready when the service says it listens and the directory answers.
for _ in $(seq 1 200); do
  grep -q listening "$work/service.log" 2>/dev/null \
    && python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/users/1')" 2>/dev/null \
    && break
  sleep 0.05
done

call() {
  local title=$1 authorization=$2 body=$3
  printf '\n=== %s\n$ POST /data-action/user-lookup %s\n' "$title" "$body"
  printf '%s' "$body" | REQUEST_METHOD=POST DOCUMENT_URI=/data-action/user-lookup CONTENT_TYPE=application/json \
    CONTENT_LENGTH=${#body} HTTP_AUTHORIZATION="$authorization" \
    HTTP_ININ_CORRELATION_ID="demo-$RANDOM" \
    cgi-fcgi -bind -connect "$socket" | tr -d '\r'
  echo
}

echo "data-action $("$binary" --version) on $socket, user directory $EXTERNAL_API_URL"
call "A user that exists (the body Genesys sends by default)" "Bearer $SHARED_SECRET" '{"userId":"1"}'
call "The tutorial's envelope, another user" "Bearer $SHARED_SECRET" '{"inputs":{"userId":"2"}}'
call "A user that does not exist: still 200, userFound false" "Bearer $SHARED_SECRET" '{"userId":"999"}'
call "A path trick in the user id" "Bearer $SHARED_SECRET" '{"userId":"../../etc/passwd"}'
call "The wrong secret" "Bearer not-the-secret" '{"userId":"1"}'

printf '\n=== The service log (one line per request, with Genesys correlation ids)\n'
cat "$work/service.log"
