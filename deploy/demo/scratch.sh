# Sourced by deploy/demo/demo.sh and bench/run.sh: a scratch directory for one run, the
# processes started in it, and their cleanup on exit (nginx by its pid file, the rest by pid).
#   . scratch.sh NAME    sets $work (/tmp/data-action-NAME.XXXXXX) and $pids; defines free_port
#                        and nginx_scratch_main
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
