#!/usr/bin/env bash
# scripts/faults/sigkill.sh — SIGKILL the server in the middle of turns, again and again, then
# check that nothing a resident was promised is lost (docs/capacity.md, "Faults").
#
# Each round starts bin/nightfloat on loopback, drives it with `nightfloat loadtest` (8 active
# conversations, a message a second, every acknowledgement appended to a file), and kills
# the server with SIGKILL at a random moment 0.3–2 s in, while turns are running. After the
# last round a server is started once more and `nightfloat loadtest -verify` checks the
# database: every acknowledged message is stored with its seq, every resident message has
# been answered (a reply, a handoff notice or an error notice) once recovery has run, no turn
# was answered twice, and no assistant reply lacks meta.output_checked. It exits 1 on any
# violation.
#
# It works on a database of its own, created on the PostgreSQL server of DATABASE_URL (or
# scripts/db.sh's) and dropped at the end. Bounded: ROUNDS rounds of a few seconds each.
#
# Usage: scripts/faults/sigkill.sh [ROUNDS]      (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-100}
port=${NIGHTFLOAT_FAULT_PORT:-18180}
work=$(mktemp -d)
server_pid=

log() { printf 'sigkill: %s\n' "$*" >&2; }

admin=${DATABASE_URL:-$(scripts/db.sh start)}
dbname=nf_sigkill_$$
db=$(printf '%s' "$admin" | sed -E "s#/[^/?]+(\?|$)#/$dbname\1#")
psql_admin() { psql "$admin" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

cleanup() {
	if [ -n "$server_pid" ]; then kill -9 "$server_pid" 2>/dev/null || true; fi
	psql_admin "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/nightfloat" ./cmd/nightfloat
psql_admin "CREATE DATABASE $dbname"
export DATABASE_URL=$db NIGHTFLOAT_ADDR=127.0.0.1:$port NIGHTFLOAT_METRICS_TOKEN=fault-run-metrics-token NIGHTFLOAT_NEW_CONVERSATIONS_PER_MINUTE=100000 NIGHTFLOAT_LOG_LEVEL=warn NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS=true
psql "$db" -qAtX -c "CREATE EXTENSION IF NOT EXISTS vector"
"$work/nightfloat" migrate >/dev/null
"$work/nightfloat" ingest --drafts content >/dev/null 2>&1

start_server() {
	"$work/nightfloat" serve --drafts >>"$work/server.log" 2>&1 &
	server_pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	log "server did not start; last log lines:"; tail -20 "$work/server.log" >&2
	return 1
}

acks=$work/acks.txt
: >"$acks"
for i in $(seq 1 "$rounds"); do
	start_server
	"$work/nightfloat" loadtest -target "http://127.0.0.1:$port" -active 8 -every 1s -red-flags 0 \
		-duration 2500ms -acks "$acks" >/dev/null 2>>"$work/driver.log" &
	driver=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + (r % 170) / 100 }')"
	kill -9 "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	wait "$driver" || true
	if [ $((i % 10)) -eq 0 ]; then log "$i/$rounds kills; $(wc -l <"$acks") acknowledgements so far"; fi
done

log "restarting once more and waiting for recovery"
start_server
status=0
"$work/nightfloat" loadtest -verify -database-url "$db" -acks "$acks" -verify-wait 120s || status=$?
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
if [ $status -ne 0 ]; then log "FAILED after $rounds kills"; exit 1; fi
log "ok: $rounds kills, nothing lost"
