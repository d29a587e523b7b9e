# Sourced by deploy/demo/demo.sh, bench/run.sh and soak/run.sh (each sets $repo first): a
# scratch directory for one run, the processes started in it, and their cleanup on exit (nginx
# by its pid file, the rest by pid).
#   . scratch.sh NAME    sets $work (/tmp/data-action-NAME.XXXXXX) and $pids; defines free_port,
#                        nginx_scratch_main, shipped_location and wait_until_serving
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
# A free loopback port from 10000-19999: below the kernel's ephemeral range (32768-60999), where
# no other connection's local end lands between finding the port and nginx binding it, and apart
# from the ports the Swift tests hand out (20000-31999) while the soak runs beside them.
free_port() {
  python3 -c '
import random, socket
for port in random.sample(range(10000, 20000), 10000):
    try:
        socket.socket().bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break'
}

# The top of an nginx.conf that runs as this user inside $work: pid, error log, temp paths,
# no access log. Prints up to the open "http {" block; the caller adds its servers and "}".
#   nginx_scratch_main WORKER_PROCESSES WORKER_CONNECTIONS
nginx_scratch_main() {
  cat <<NGINX
worker_processes $1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections $2; }
http {
    access_log off;
    client_body_temp_path $work/client_body;
    fastcgi_temp_path $work/fastcgi;
    proxy_temp_path $work/proxy;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
NGINX
}

# The shipped location snippet for a service on SOCKET, as $work/data-action.conf, with the
# allowlist at $work/genesys-allowlist.conf (the caller writes it) and the access log at
# $work/access.log; and the fastcgi_params it includes.
#   shipped_location SOCKET
shipped_location() {
  "$repo/deploy/nginx/localize.sh" "$1" "$work/genesys-allowlist.conf" "$work/access.log" >"$work/data-action.conf"
  cp /etc/nginx/fastcgi_params "$work/fastcgi_params"
}

# Waits (up to 10 s) until the service has logged that it listens and nginx on PORT answers
# its health check through it.
#   wait_until_serving SERVICE_LOG PORT
wait_until_serving() {
  for _ in $(seq 1 200); do
    grep -q listening "$1" 2>/dev/null \
      && curl -fs "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return
    sleep 0.05
  done
}
