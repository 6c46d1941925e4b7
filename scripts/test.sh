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
# Bounded fuzzing of what parses untrusted input (longer runs by hand: raise -fuzztime).
fuzztime=${NIGHTFLOAT_FUZZTIME:-10s}
echo "test: fuzzing for $fuzztime each" >&2
go test -run '^$' -fuzz '^FuzzDecodeFrame$' -fuzztime "$fuzztime" ./web/
go test -run '^$' -fuzz '^FuzzNormalize$' -fuzztime "$fuzztime" ./safety/
go test -run '^$' -fuzz '^FuzzParseDocument$' -fuzztime "$fuzztime" ./retrieval/
go test -run '^$' -fuzz '^FuzzFind$' -fuzztime "$fuzztime" ./redact/
# The fast matcher must find what plain regexp searches find: on every
# labelled case here (under -race below, a sample).
go test -count=1 -run '^TestAnchoredEqualsWindowed$' ./safety/

echo "test: go test -race ./..." >&2
go test -race -count=1 -timeout 25m "$@" ./...

