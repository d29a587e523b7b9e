#!/usr/bin/env bash
# Installs the package on a real Debian 12 host with systemd as PID 1 (a debootstrap root booted
# with systemd-nspawn), and uses it as ops would: install, configure, enable the socket, include
# the nginx snippet, call the action through nginx, find the call in the journal; upgrade under
# steady load and count that no call is lost; purge and look at what is left. Exits non-zero on
# the first thing that is not so.
#
#   deploy/debian/deb-check.sh OLDER.deb NEWER.deb
#
# The root is made once (about a minute) and kept in DEB_CHECK_CACHE
# (/var/cache/data-action-deb-check); each run boots a fresh copy of it. It is bootstrapped from
# DEB_CHECK_MIRROR, by default the Debian mirror this host's own apt sources name. The host shares its
# network with the container: every call stays on 127.0.0.1.
set -euo pipefail
older=$(realpath "${1:?older package}")
newer=$(realpath "${2:?newer package}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${DEB_CHECK_CACHE:-/var/cache/data-action-deb-check}
say() { printf 'deb-check: %s\n' "$*"; }
fail() { printf 'deb-check: FAILED: %s\n' "$*" >&2; exit 1; }

# The first Debian archive (not its security archive) in the host's apt sources, in either
# format: deb822 `URIs:` lines in *.sources, or `deb [options] URI suite …` lines.
host_mirror() {
  local uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -r "$file" ] || continue
    uri=$(sed -n 's/^URIs:[[:space:]]*//p' "$file" | tr ' ' '\n' | grep -v -e '-security' -e '^$' | head -n 1)
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$file" ] || continue
    uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' "$file" | grep -v -e '-security' | head -n 1)
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

if [ ! -d "$cache/root" ]; then
  mirror=${DEB_CHECK_MIRROR:-$(host_mirror)}
  [ -n "$mirror" ] || fail "no Debian mirror in this host's apt sources; set DEB_CHECK_MIRROR"
  say "making the Debian 12 root (debootstrap from $mirror)"
  mkdir -p "$cache"
  rm -rf "$cache/root.tmp"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,nginx-light,ca-certificates,procps,libcurl4,libfcgi0ldbl,curl \
    bookworm "$cache/root.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || fail "debootstrap (see $cache/debootstrap.log)"
  mv "$cache/root.tmp" "$cache/root"
fi

work=$(mktemp -d /tmp/data-action-deb-check.XXXXXX)
root="$work/root"
nspawn=""
loaders=()
cleanup() {
  for pid in "${loaders[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$nspawn" ]; then kill "$nspawn" 2>/dev/null || true; wait "$nspawn" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cp -a "$cache/root" "$root"
cp "$older" "$root/root/older.deb"
cp "$newer" "$root/root/newer.deb"
# Swift's toolchain is nowhere in the container: the package must bring what it needs.
[ ! -e "$root/opt/swift" ] && ! ls "$root"/usr/lib/swift >/dev/null 2>&1 || fail "a Swift runtime is in the root"

say "booting it with systemd-nspawn"
systemd-nspawn -D "$root" --register=no --keep-unit -b >"$work/console.log" 2>&1 </dev/null &
nspawn=$!
pid1=""
for _ in $(seq 1 300); do
  for pid in $(pgrep -P "$nspawn" 2>/dev/null) ; do pid1=$pid; done
  [ -n "$pid1" ] && break
  sleep 0.1
done
[ -n "$pid1" ] || fail "the container did not start: $(tail -5 "$work/console.log")"
inside() { nsenter -t "$pid1" -a "$@"; }
for _ in $(seq 1 600); do
  state=$(inside systemctl is-system-running 2>/dev/null || true)
  case "$state" in running|degraded) break ;; esac
  sleep 0.1
done
case "$state" in running|degraded) ;; *) fail "systemd did not finish booting ($state)" ;; esac
inside test ! -x /usr/bin/swift || fail "swift is installed in the container"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
upstream_port=$(free_port)
secret=$(openssl rand -hex 24)

say "apt install ./older.deb"
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /root/older.deb >"$work/install.log" 2>&1 \
  || fail "install: $(tail -5 "$work/install.log")"
grep -q "set SHARED_SECRET and EXTERNAL_API_URL in /etc/data-action/env" "$work/install.log" || fail "no first-install hint"
inside systemctl is-active --quiet data-action.socket && fail "the socket started before it was configured"
[ "$(inside stat -c %a /etc/data-action/env)" = 600 ] || fail "the env file is not 0600"
inside data-action check-config --env-file /etc/data-action/env >/dev/null 2>&1 && fail "the example env passes check-config"

say "configure, enable the socket, include the snippet, reload nginx"
mkdir -p "$root/srv/users"
cp "$repo"/deploy/demo/users/* "$root/srv/users/"
sed -i "s|^SHARED_SECRET=.*|SHARED_SECRET=$secret|; s|^EXTERNAL_API_URL=.*|EXTERNAL_API_URL=http://127.0.0.1:$upstream_port/users|" "$root/etc/data-action/env"
inside data-action check-config --env-file /etc/data-action/env >/dev/null || fail "check-config refuses the filled-in env"
printf '{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"local"}]}' >"$root/root/ipranges.json"
inside data-action allowlist --input /root/ipranges.json --output /etc/nginx/data-action/genesys-allowlist.conf >/dev/null
cat >"$root/etc/nginx/sites-enabled/data-action" <<NGINX
server { listen 127.0.0.1:$upstream_port; location /users/ { alias /srv/users/; default_type application/json; } }
server { listen 127.0.0.1:$port; include /etc/nginx/data-action/data-action.conf; }
NGINX
rm -f "$root/etc/nginx/sites-enabled/default"
inside systemctl enable --now data-action.socket >/dev/null 2>&1 || fail "systemctl enable --now data-action.socket"
inside nginx -t >/dev/null 2>&1 || fail "nginx -t with the snippet: $(inside nginx -t 2>&1 | tail -3)"
inside systemctl reload nginx || fail "nginx reload"

call() { # correlation id → status
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$port/data-action/user-lookup" \
    -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' -H "ININ-Correlation-Id: $1" -d '{"userId":"1"}' || true
}
status=""
for _ in $(seq 1 100); do status=$(call deb-check-first); [ "$status" = 200 ] && break; sleep 0.1; done
[ "$status" = 200 ] || fail "the action through nginx answered $status"
for _ in $(seq 1 100); do inside journalctl -u data-action --no-pager 2>/dev/null | grep -q "correlationId=deb-check-first" && break; sleep 0.1; done
inside journalctl -u data-action --no-pager | grep -q "correlationId=deb-check-first" || fail "the call is not in journalctl -u data-action"
inside journalctl -u data-action --no-pager | grep -q "$secret" && fail "the secret is in the journal"
say "the action answers 200 through nginx and the call is in the journal"

metrics=$(curl -s --max-time 10 "http://127.0.0.1:$port/metrics" || true)
grep -q '^data_action_requests_total{action="user-lookup",outcome="found",status="200"} [1-9]' <<<"$metrics" \
  || fail "/metrics through nginx does not count the call: $(head -c 300 <<<"$metrics")"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/readyz")" = 200 ] || fail "/readyz is not 200"
say "/metrics counts the call and /readyz answers 200 through nginx"

say "the TLS server example passes nginx -t"
inside mkdir -p /etc/letsencrypt/live/data-action.example.com
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=data-action.example.com \
  -keyout "$root/etc/letsencrypt/live/data-action.example.com/privkey.pem" \
  -out "$root/etc/letsencrypt/live/data-action.example.com/fullchain.pem" >/dev/null 2>&1
cp "$root/etc/nginx/data-action/data-action-server.conf.example" "$root/etc/nginx/sites-enabled/example-tls"
inside nginx -t >/dev/null 2>&1 || fail "nginx -t with data-action-server.conf.example: $(inside nginx -t 2>&1 | tail -3)"
rm "$root/etc/nginx/sites-enabled/example-tls"

say "upgrade to the newer package under steady load"
: >"$work/statuses"
for caller in 1 2 3 4; do
  ( while [ ! -e "$work/stop" ]; do printf '%s\n' "$(call "deb-check-load-$caller")" >>"$work/statuses"; done ) &
  loaders+=($!)
done
for _ in $(seq 1 200); do [ "$(wc -l <"$work/statuses")" -ge 200 ] && break; sleep 0.05; done
before=$(wc -l <"$work/statuses")
old_pid=$(inside systemctl show -p MainPID --value data-action.service)
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /root/newer.deb >"$work/upgrade.log" 2>&1 \
  || fail "upgrade: $(tail -5 "$work/upgrade.log")"
new_pid=$(inside systemctl show -p MainPID --value data-action.service)
target=$(( $(wc -l <"$work/statuses") + 200 ))
for _ in $(seq 1 200); do [ "$(wc -l <"$work/statuses")" -ge "$target" ] && break; sleep 0.05; done
touch "$work/stop"
for pid in "${loaders[@]}"; do wait "$pid" 2>/dev/null || true; done
loaders=()
total=$(wc -l <"$work/statuses")
lost=$(grep -cv '^200$' "$work/statuses" || true)
say "calls during the upgrade: $total ($before before it), not 200: $lost; service pid $old_pid -> $new_pid"
[ "$old_pid" != "$new_pid" ] || fail "the upgrade did not restart the service"
[ "$(inside dpkg-query -W -f '${Version}' data-action)" = "$(dpkg-deb -f "$newer" Version)" ] || fail "the newer version is not installed"
[ "$lost" = 0 ] || fail "$lost calls were not answered 200 during the upgrade: $(sort "$work/statuses" | uniq -c | tr '\n' ' ')"
inside systemctl is-active --quiet data-action.socket || fail "the socket is not active after the upgrade"

say "an actions file, read by the hardened unit's dynamic user"
install -m 0644 "$repo/deploy/demo/actions.yaml" "$root/etc/data-action/actions.yaml"
printf 'ACTIONS_FILE=/etc/data-action/actions.yaml\nUSERS_API_URL=http://127.0.0.1:%s\n' "$upstream_port" >>"$root/etc/data-action/env"
listed=$(inside data-action check-config --env-file /etc/data-action/env) || fail "check-config refuses the actions file"
grep -q "^action user-by-email: " <<<"$listed" || fail "check-config does not list the file's actions"
inside systemctl restart data-action.service || fail "restart with the actions file"
post() { # action, body → status and body
  curl -s -w ' %{http_code}' --max-time 10 -X POST "http://127.0.0.1:$port/data-action/$1" \
    -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' -d "$2" || true
}
answer=$(post user-lookup '{"userId":"2"}')
[ "${answer##* }" = 200 ] && [[ "$answer" == *'"userName":"Ervin Howell"'* ]] || fail "the file's user-lookup answered: $answer"
# The sample upstream here serves /users/ID only: the search's /users?email=… is its 404, "not found".
answer=$(post user-by-email '{"email":"Shanna@melissa.tv"}')
[ "$answer" = '{"outputs":{"userFound":false}} 200' ] || fail "the file's second action answered: $answer"
say "both actions of the file answer through the shipped nginx snippet, unchanged"

for recipe in servicenow zendesk hubspot salesforce dynamics365 shopify graphql; do
  file=/usr/share/doc/data-action/recipes/$recipe.yaml
  inside data-action actions show --actions "$file" >"$work/recipe.out" 2>&1 || fail "actions show $file: $(tail -3 "$work/recipe.out")"
done
say "the seven recipes are installed under /usr/share/doc/data-action/recipes/ and read"

say "apt purge"
inside env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q data-action >"$work/purge.log" 2>&1 || fail "purge: $(tail -5 "$work/purge.log")"
left=""
for path in /usr/bin/data-action /lib/systemd/system/data-action.service /lib/systemd/system/data-action.socket /etc/data-action \
  /etc/nginx/data-action /etc/nginx/conf.d/data-action-http.conf /etc/systemd/system/sockets.target.wants/data-action.socket \
  /usr/share/doc/data-action /run/data-action/fcgi.sock; do
  inside test -e "$path" && left="$left $path"
done
[ -z "$left" ] || fail "left after purge:$left"
inside systemctl is-active --quiet data-action.socket && fail "the socket is still active after purge"
[ -z "$(inside dpkg -L data-action 2>/dev/null)" ] || fail "dpkg still lists files"
say "purged: nothing of the package is left"
say "passed"
