# Sourced by deploy/demo/demo.sh and bench/run.sh: a scratch directory for one run, the
# processes started in it, and their cleanup on exit (nginx by its pid file, the rest by pid).
#   . scratch.sh NAME    sets $work (/tmp/data-action-NAME.XXXXXX) and $pids; defines free_port
work=$(mktemp -d "/tmp/data-action-$1.XXXXXX")
chmod 755 "$work"
pids=()

cleanup() {
  [ -f "$work/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A TCP port on 127.0.0.1 that is free now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
