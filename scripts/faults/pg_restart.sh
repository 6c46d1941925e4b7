#!/usr/bin/env bash
# scripts/faults/pg_restart.sh — restart PostgreSQL under load and check that the server
# keeps running, that residents got either their answer or a clear error, and that it
# recovers by itself when the database returns (docs/capacity.md, "Faults").
#
# It runs a throwaway PostgreSQL cluster of its own (so no other database is disturbed),
# starts bin/nightfloat on loopback, drives ACTIVE conversations with `nightfloat loadtest`
# for DURATION, stops PostgreSQL a third of the way in for DOWN seconds, and then:
#   - the server process must still be running, and /readyz must answer 200 again within 30 s;
#   - `nightfloat loadtest -verify` must find every acknowledged message stored, every one
#     answered (a reply, a handoff notice or an error notice) once recovery has run, none
#     answered twice, and no reply without meta.output_checked.
# It exits 1 on any violation. Bounded: about DURATION + 2 minutes.
#
# Usage: scripts/faults/pg_restart.sh [ACTIVE] [DURATION] [DOWN]   (default 20 40s 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
active=${1:-20}
duration=${2:-40s}
down=${3:-5}
port=${NIGHTFLOAT_FAULT_PORT:-18181}
export NIGHTFLOAT_PG_PORT=${NIGHTFLOAT_FAULT_PG_PORT:-54377}
export NIGHTFLOAT_PG_DATA=/var/tmp/nightfloat-pgrestart-$$
work=$(mktemp -d)
server_pid=

log() { printf 'pg_restart: %s\n' "$*" >&2; }
unset DATABASE_URL

cleanup() {
	if [ -n "$server_pid" ]; then kill -9 "$server_pid" 2>/dev/null || true; fi
	scripts/db.sh stop >/dev/null 2>&1 || true
	rm -rf "$work" "$NIGHTFLOAT_PG_DATA"
}
trap cleanup EXIT

db=$(scripts/db.sh start)
go build -o "$work/nightfloat" ./cmd/nightfloat
export DATABASE_URL=$db NIGHTFLOAT_ADDR=127.0.0.1:$port NIGHTFLOAT_METRICS_TOKEN=fault-run-metrics-token NIGHTFLOAT_NEW_CONVERSATIONS_PER_MINUTE=100000 NIGHTFLOAT_LOG_LEVEL=warn NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS=true
"$work/nightfloat" migrate >/dev/null
"$work/nightfloat" ingest --drafts content >/dev/null 2>&1

"$work/nightfloat" serve --drafts >>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done

acks=$work/acks.txt
: >"$acks"
"$work/nightfloat" loadtest -target "http://127.0.0.1:$port" -active "$active" -every 2s -red-flags 0 \
	-duration "$duration" -acks "$acks" >"$work/driver.out" 2>>"$work/driver.log" &
driver=$!

secs=${duration%s}
sleep $((secs / 3))
log "stopping PostgreSQL for ${down}s under load ($(wc -l <"$acks") acknowledgements so far)"
scripts/db.sh stop
sleep "$down"
if psql "$db" -qAtX -c "SELECT 1" >/dev/null 2>&1; then log "FAILED: PostgreSQL did not stop"; exit 1; fi
if ! kill -0 "$server_pid" 2>/dev/null; then log "FAILED: the server exited while the database was down"; tail -20 "$work/server.log" >&2; exit 1; fi
env -u DATABASE_URL scripts/db.sh start >/dev/null
log "PostgreSQL is back"

wait "$driver" || true
if ! kill -0 "$server_pid" 2>/dev/null; then log "FAILED: the server exited"; tail -20 "$work/server.log" >&2; exit 1; fi
ready=0
for _ in $(seq 1 150); do
	if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
	sleep 0.2
done
if [ $ready -ne 1 ]; then log "FAILED: /readyz did not recover within 30 s"; exit 1; fi
log "the server recovered by itself; driver summary:"
tail -15 "$work/driver.out" >&2 || true

status=0
"$work/nightfloat" loadtest -verify -database-url "$db" -acks "$acks" -verify-wait 120s || status=$?
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
if [ $status -ne 0 ]; then log "FAILED"; exit 1; fi
log "ok: PostgreSQL restarted under $active conversations; nothing lost, nothing unchecked"
