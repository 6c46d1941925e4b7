#!/usr/bin/env bash
# scripts/test.sh — the whole test suite, as the README's `make test` runs it: starts (or
# installs) PostgreSQL with pgvector and Chromium, then vet, formatting, and
# `go test -race ./...` (which includes the safety and retrieval eval gates).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null 2>&1 || { echo "test: Go 1.26 or newer is required (https://go.dev/dl/)" >&2; exit 1; }

DATABASE_URL=$(scripts/db.sh start)
export DATABASE_URL
NIGHTFLOAT_CHROME=$(scripts/browser.sh)
export NIGHTFLOAT_CHROME

echo "test: go vet" >&2
go vet ./...
echo "test: gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.data/*'))
if [ -n "$unformatted" ]; then
	echo "test: these files need gofmt -w:" >&2
	echo "$unformatted" >&2
	exit 1
fi
# Bounded fuzzing of what parses untrusted input (longer runs by hand: NIGHTFLOAT_FUZZTIME,
# e.g. 10m or 1000000x). By default each target runs a number of inputs (5 to 15 seconds on a
# two-core machine), not a duration: Go 1.26's fuzzing coordinator can report "context
# deadline exceeded" as a failure when a -fuzztime duration ends while a busy worker is
# mid-input (go.dev/issue/75804, fixed in Go 1.27), and a count has no deadline. New
# interesting inputs are minimised for at most 100 runs each, so that minimising cannot
# stretch a run by a minute per input.
fuzz() {
	local target=$1 count=$2 pkg=$3
	go test -run '^$' -fuzz "^$target\$" -fuzztime "${NIGHTFLOAT_FUZZTIME:-$count}" -fuzzminimizetime 100x "$pkg"
}
echo "test: fuzzing ${NIGHTFLOAT_FUZZTIME:-a set number of inputs} for each target" >&2
fuzz FuzzDecodeFrame 20000x ./web/
fuzz FuzzNormalize 4000x ./safety/
fuzz FuzzParseDocument 10000x ./retrieval/
fuzz FuzzFind 20000x ./redact/
# The fast matcher must find what plain regexp searches find: on every
# labelled case here (under -race below, a sample).
go test -count=1 -run '^TestAnchoredEqualsWindowed$' ./safety/

echo "test: go test -race ./..." >&2
go test -race -count=1 -timeout 25m "$@" ./...

