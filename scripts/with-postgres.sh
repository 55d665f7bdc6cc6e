#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: a new cluster in a temporary folder, on a
# free loopback port, trusted on loopback (it holds nothing but benchmark data), stopped and removed
# afterwards whatever the command does. The command sees
#   VERITAS_BENCH_POSTGRES_URL   postgres://veritas@127.0.0.1:PORT/postgres?sslmode=disable
#   VERITAS_BENCH_PGBENCH        the server's pgbench (the raw limit in the benchmark)
# Used by `make bench`. PostgreSQL refuses to run as root, so under root the server runs as nobody.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bin" || ! -x "$bin/pg_ctl" ]]; then
    echo "with-postgres: PostgreSQL is not installed (run scripts/install-deps.sh); running without it" >&2
    exec "$@"
fi
folder=$(mktemp -d /tmp/veritas-bench-pg.XXXXXX)
as_server=()
if [[ $(id -u) == 0 ]]; then
    chown 65534:65534 "$folder"
    as_server=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    "${as_server[@]}" "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$folder"
}
trap cleanup EXIT
"${as_server[@]}" "$bin/initdb" -D "$folder/data" -U veritas --auth=trust -E UTF8 >/dev/null
"${as_server[@]}" "$bin/pg_ctl" -D "$folder/data" -o "-p $port -k $folder -c listen_addresses=127.0.0.1" -l "$folder/server.log" -w start >/dev/null
export VERITAS_BENCH_POSTGRES_URL="postgres://veritas@127.0.0.1:$port/postgres?sslmode=disable"
export VERITAS_BENCH_PGBENCH="$bin/pgbench"
"$@"
