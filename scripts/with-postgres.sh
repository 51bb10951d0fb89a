#!/usr/bin/env bash
# Runs CMD... with a throwaway PostgreSQL cluster: initdb in a fresh temporary folder, a server that
# listens on 127.0.0.1 only (a free port, trust authentication, no Unix socket shared with anything
# else), GARMIN_SSO_TEST_POSTGRES_URL exported for CMD, and the cluster stopped and deleted however
# CMD ends. Uses Debian's postgresql package (scripts/setup-deps.sh installs it). As root, the
# server runs as the `postgres` user, which PostgreSQL requires.
#   scripts/with-postgres.sh cargo test -p garmin-sso-core --features postgres --test postgres_store
set -euo pipefail
if (($# == 0)); then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir="$d"   # the last one: the newest major version
done
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with-postgres: no 'postgres' user to run the server as" >&2; exit 1; }
  as_pg=(runuser -u postgres --)
fi

tmp="$(mktemp -d -t garmin-sso-pg.XXXXXX)"
data="$tmp/data"
started=""
cleanup() {
  if [ -n "$started" ]; then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 0755 "$tmp"
[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$tmp"

# A free port: bind port 0 and read what the kernel chose (it stays free for the moment in between).
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

"${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
started=1
"${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$tmp' -c fsync=on" \
  start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

export GARMIN_SSO_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port" >&2
set +e
"$@"
rc=$?
set -e
exit "$rc"
