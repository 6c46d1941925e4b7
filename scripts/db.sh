#!/usr/bin/env bash
# scripts/db.sh — make sure a PostgreSQL with pgvector is available and print its URL.
#
# With DATABASE_URL set, that database is used as it is and nothing is installed.
# Otherwise this script, idempotently:
#   1. installs PostgreSQL (Debian/Ubuntu packages) when no server is installed;
#   2. installs pgvector: the distribution's postgresql-<major>-pgvector package where one
#      exists; otherwise (Debian bookworm) it builds Debian's own pgvector source package
#      against the installed server headers;
#   3. runs a project-local cluster under ./.data/pg (or $NIGHTFLOAT_PG_DATA) on
#      127.0.0.1:${NIGHTFLOAT_PG_PORT:-54329}
#      (initdb once, start when stopped, a stale pid file does not block it);
#   4. creates the database "nightfloat" when missing.
# The last line printed on stdout is the database URL; progress goes to stderr.
#
# Usage: scripts/db.sh [start|stop|status|url]
set -euo pipefail

cmd=${1:-start}
root=$(cd "$(dirname "$0")/.." && pwd)
port=${NIGHTFLOAT_PG_PORT:-54329}
dbname=nightfloat

log() { printf 'db: %s\n' "$*" >&2; }
die() { printf 'db: error: %s\n' "$*" >&2; exit 1; }

url() { printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n' "$port" "$dbname"; }

# With DATABASE_URL set, start only reports it: stop and status still act on the local cluster.
if [ "$cmd" = start ] && [ -n "${DATABASE_URL:-}" ]; then
	log "using DATABASE_URL from the environment; nothing to install or start"
	printf '%s\n' "$DATABASE_URL"
	exit 0
fi

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "need root to run: $* (install sudo, run as root, or set DATABASE_URL)"
	fi
}

apt_updated=0
apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* yourself, or set DATABASE_URL"
	if [ $apt_updated -eq 0 ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		apt_updated=1
	fi
	log "installing $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# The newest installed server major version, e.g. 15.
pg_major() {
	ls -1 /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -1
}

ensure_postgres() {
	local major
	major=$(pg_major)
	if [ -z "$major" ] || [ ! -x "/usr/lib/postgresql/$major/bin/initdb" ]; then
		apt_install postgresql postgresql-contrib
		major=$(pg_major)
		[ -n "$major" ] || die "PostgreSQL did not install"
	fi
	printf '%s\n' "$major"
}

ensure_pgvector() {
	local major=$1 bindir sharedir
	bindir=/usr/lib/postgresql/$major/bin
	sharedir=/usr/share/postgresql/$major
	[ -f "$sharedir/extension/vector.control" ] && return 0

	if [ $apt_updated -eq 0 ]; then as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2; apt_updated=1; fi
	if apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1; then
		apt_install "postgresql-$major-pgvector"
		return 0
	fi

	# No binary package for this suite (Debian bookworm): build Debian's own source package.
	log "postgresql-$major-pgvector is not packaged here; building pgvector from Debian's source package"
	apt_install "postgresql-server-dev-$major" build-essential dpkg-dev ca-certificates
	local srclist=/etc/apt/sources.list.d/nightfloat-pgvector-src.sources
	if [ ! -f "$srclist" ]; then
		as_root tee "$srclist" >/dev/null <<-EOF
			Types: deb-src
			URIs: http://deb.debian.org/debian
			Suites: trixie
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	fi
	local build
	build=$(mktemp -d)
	# apt-get source drops privileges to _apt when it can; the folder must be writable by it.
	chmod 0777 "$build"
	(cd "$build" && apt-get source -qq pgvector >&2) || die "apt-get source pgvector failed"
	local src
	src=$(find "$build" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -1)
	[ -n "$src" ] || die "pgvector source not found after apt-get source"
	log "building $(basename "$src") against PostgreSQL $major"
	make -s -C "$src" PG_CONFIG="$bindir/pg_config" >&2
	as_root make -s -C "$src" PG_CONFIG="$bindir/pg_config" install >&2
	rm -rf "$build"
	[ -f "$sharedir/extension/vector.control" ] || die "pgvector did not install into $sharedir"
}

# run_pg runs a PostgreSQL binary as the cluster owner: initdb refuses root, so as root the
# cluster belongs to the "postgres" system user.
run_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# cluster_dir prints where the cluster lives: ./.data/pg, or, when the postgres user cannot
# reach the project folder (a clone under a private home or mktemp dir), a folder under
# /var/tmp that ./.data/pg links to.
cluster_dir() {
	if [ -n "${NIGHTFLOAT_PG_DATA:-}" ]; then
		mkdir -p "$NIGHTFLOAT_PG_DATA"
		printf '%s\n' "$NIGHTFLOAT_PG_DATA"
		return
	fi
	mkdir -p "$root/.data"
	local dir=$root/.data/pg
	if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
	if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$root/.data" 2>/dev/null; then
		printf '%s\n' "$dir"
		return
	fi
	local alt
	alt=/var/tmp/nightfloat-pg-$(printf '%s' "$root" | sha256sum | cut -c1-12)
	log "the postgres user cannot reach $root; keeping the cluster in $alt (linked from .data/pg)"
	ln -sfn "$alt" "$dir"
	printf '%s\n' "$alt"
}

# port_busy reports whether something listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# choose_port settles the port of a cluster that is not running: the one it used last
# (remembered in its data folder), unless NIGHTFLOAT_PG_PORT says otherwise; and when that
# port is taken by another server (another clone's cluster, say), the next free one.
choose_port() {
	local data=$1 remembered=$1/nightfloat.port
	if [ -z "${NIGHTFLOAT_PG_PORT:-}" ] && [ -f "$remembered" ]; then
		port=$(cat "$remembered")
	fi
	local tries=0
	while port_busy "$port"; do
		tries=$((tries + 1))
		[ $tries -le 20 ] || die "ports $((port - 20)) to $port are all taken: set NIGHTFLOAT_PG_PORT to a free port, or DATABASE_URL to an existing database"
		log "port $port is taken by another server; trying $((port + 1))"
		port=$((port + 1))
	done
	printf '%s\n' "$port" | run_pg tee "$remembered" >/dev/null
}

# current_port reads the port a running cluster was started on.
current_port() {
	local data=$1
	if [ -f "$data/nightfloat.port" ]; then cat "$data/nightfloat.port"; else printf '%s\n' "$port"; fi
}

start_cluster() {
	local major=$1 bindir data
	bindir=/usr/lib/postgresql/$major/bin
	data=$(cluster_dir)
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$data"
		chown postgres:postgres "$data"
		chmod 0700 "$data"
	fi
	if [ ! -f "$data/PG_VERSION" ]; then
		log "initialising a cluster in $data"
		run_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
		cat <<-EOF | run_pg tee -a "$data/postgresql.conf" >/dev/null
			# nightfloat: a local cluster for development and tests
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$data'
			max_connections = 300
			shared_buffers = 256MB
			fsync = on
		EOF
	fi
	if run_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		return 0
	fi
	choose_port "$data"
	# Not running: a postmaster.pid left by a killed server must not block the start.
	if [ -f "$data/postmaster.pid" ]; then
		log "removing a stale postmaster.pid"
		rm -f "$data/postmaster.pid"
	fi
	log "starting PostgreSQL $major on 127.0.0.1:$port"
	# The port is given at each start, not written at initdb, so NIGHTFLOAT_PG_PORT can change.
	if ! run_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port" -w -t 60 start >/dev/null; then
		tail -5 "$data/server.log" >&2
		if tail -5 "$data/server.log" | grep -q "Address already in use"; then
			die "port $port is taken by another server: set NIGHTFLOAT_PG_PORT to a free port, or DATABASE_URL to an existing database"
		fi
		die "PostgreSQL did not start (log: $data/server.log)"
	fi
}

stop_cluster() {
	local major=$1 data
	data=$(cluster_dir)
	[ -f "$data/PG_VERSION" ] || return 0
	run_pg "/usr/lib/postgresql/$major/bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

ensure_database() {
	local major=$1 psql=/usr/lib/postgresql/$1/bin/psql
	local q="SELECT 1 FROM pg_database WHERE datname = '$dbname'"
	if [ -z "$("$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "$q")" ]; then
		log "creating database $dbname"
		"$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $dbname" >&2
	fi
	"$psql" -h 127.0.0.1 -p "$port" -U postgres -d "$dbname" -qc "CREATE EXTENSION IF NOT EXISTS vector" >&2
}

case "$cmd" in
start)
	major=$(ensure_postgres)
	ensure_pgvector "$major"
	start_cluster "$major"
	port=$(current_port "$(cluster_dir)")
	ensure_database "$major"
	url
	;;
stop) stop_cluster "$(pg_major)" ;;
status) run_pg "/usr/lib/postgresql/$(pg_major)/bin/pg_ctl" -D "$(cluster_dir)" status ;;
url) port=$(current_port "$(cluster_dir)"); url ;;
*) die "unknown command $cmd (want start, stop, status or url)" ;;
esac
