#!/usr/bin/env bash
# scripts/run.sh — run Nightfloat locally at http://localhost:8080, as the README's
# `make run` does: starts (or installs) PostgreSQL with pgvector, builds the binary,
# migrates, loads the starter content, and serves.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null 2>&1 || { echo "run: Go 1.26 or newer is required (https://go.dev/dl/)" >&2; exit 1; }

DATABASE_URL=$(scripts/db.sh start)
export DATABASE_URL
mkdir -p bin
go build -o bin/nightfloat ./cmd/nightfloat
bin/nightfloat migrate
# The starter content is sample content that no clinician has reviewed (status: draft). It is
# loaded here so that you can try Nightfloat; review it before any real use (content/README.md).
echo "run: loading the starter content — SAMPLE CONTENT, NOT CLINICALLY REVIEWED" >&2
bin/nightfloat ingest --drafts content
exec bin/nightfloat serve --drafts "$@"
