#!/usr/bin/env bash
# scripts/browser.sh — make sure Debian's headless Chromium is installed for the browser
# tests, and print its path. Uses NIGHTFLOAT_CHROME when set.
set -euo pipefail
log() { printf 'browser: %s\n' "$*" >&2; }

if [ -n "${NIGHTFLOAT_CHROME:-}" ]; then
	[ -x "$NIGHTFLOAT_CHROME" ] || { log "NIGHTFLOAT_CHROME=$NIGHTFLOAT_CHROME is not an executable"; exit 1; }
	printf '%s\n' "$NIGHTFLOAT_CHROME"
	exit 0
fi
for c in chromium chromium-browser google-chrome; do
	if p=$(command -v "$c"); then printf '%s\n' "$p"; exit 0; fi
done

command -v apt-get >/dev/null 2>&1 || { log "no Chromium and no apt-get: install Chromium and set NIGHTFLOAT_CHROME"; exit 1; }
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to install chromium"; exit 1; }
	sudo_cmd=(sudo)
fi
log "installing chromium (Debian package) for the browser tests"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
command -v chromium
