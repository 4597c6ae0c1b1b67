#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the tests of the PostgreSQL
# storage backend: they connect with the libpq URI that "start" prints.
#
#   pg-cluster.sh start DIR [PORT]   a fresh cluster in DIR/data (DIR empty or
#                                    absent), on PORT or a free port; prints
#                                    postgresql://amanat@127.0.0.1:PORT/amanat
#   pg-cluster.sh standby DIR SDIR   a hot standby of DIR's running cluster in
#                                    SDIR/data (pg_basebackup -R -X stream), on
#                                    a free port of its own; prints its URI
#   pg-cluster.sh stop DIR           fast shutdown (no error if not running)
#   pg-cluster.sh crash DIR          immediate shutdown: no checkpoint, the
#                                    next start runs crash recovery
#   pg-cluster.sh restart DIR        start again (after stop or crash) on the
#                                    same port and wait until it is ready
#   pg-cluster.sh uri DIR            print the URI again
#   pg-cluster.sh remove DIR         stop it and the standbys made from it,
#                                    then delete DIR and those standbys
#   pg-cluster.sh self-test          all of the above on a temporary cluster
#
# DIR (or SDIR) holds data/ (the cluster), log (the server's log), port (its
# port), initdb.log or basebackup.log, and .pg-cluster (the mark that lets
# "remove" delete it). The server listens only on 127.0.0.1 and on a socket
# in DIR, trusts every local connection (role postgres, and role amanat, a
# superuser owning database amanat), keeps fsync on (crash tests rely on
# durability) and has wal_level=replica for standbys.
#
# As root (CI), the server runs as the OS user postgres, which PostgreSQL
# requires: DIR is given to it and must be reachable by it (mode 755 parents;
# a mktemp -d directory is 700, so make it 755). Otherwise it runs as the
# current user. The PostgreSQL binaries are the newest of
# /usr/lib/postgresql/*/bin unless PG_BIN names a directory; PG_SETTINGS
# (lines of postgresql.conf) is added to a new cluster's settings. The libpq
# environment (PGHOST, PGPORT, PGUSER, ...) is ignored.
#
# Only the URI goes to stdout; everything else goes to stderr.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
MARK=.pg-cluster
# Automatically chosen ports: below Linux's ephemeral range (32768-60999), so
# no outgoing connection holds one for a moment.
PORT_MIN=20000
PORT_MAX=32000

# stdout carries only the URI (fd 3); everything else (pg_ctl, initdb,
# runuser) is on stderr.
exec 3>&1 1>&2

# Ignore the caller's libpq environment: every connection here is explicit.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^PG[A-Z]' || true)
export PGCONNECT_TIMEOUT=10

die() {
    printf 'pg-cluster: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat >&2 <<'EOF'
usage: scripts/pg-cluster.sh COMMAND ...
  start DIR [PORT]    create and start a fresh cluster in DIR (empty or absent);
                      prints its URI postgresql://amanat@127.0.0.1:PORT/amanat
  standby DIR SDIR    a hot standby of the cluster in DIR, in SDIR; prints its URI
  stop DIR            fast shutdown (no error if it is not running)
  crash DIR           immediate shutdown (crash recovery at the next start)
  restart DIR         start again on the same port, wait until ready
  uri DIR             print the URI
  remove DIR          stop, then delete DIR and the standbys made from it
  self-test           check all of the above on a temporary cluster
EOF
    exit 2
}

find_pg_bin() {
    if [ -z "${PG_BIN:-}" ]; then
        # shellcheck disable=SC2012
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    fi
    local b
    for b in initdb pg_ctl postgres pg_basebackup pg_isready psql; do
        if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/$b" ]; then
            die "no PostgreSQL $b in ${PG_BIN:-/usr/lib/postgresql/*/bin}: install the Debian package postgresql: scripts/setup.sh"
        fi
    done
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a server-side program (initdb, pg_ctl, pg_basebackup) as the cluster's
# OS user: postgres when root (PostgreSQL refuses root), else ourselves. From
# / so that postgres is not left in a directory it cannot read, and without
# fd 3: a server holding the caller's stdout would keep $(...) waiting.
as_pg() {
    if is_root; then
        if command -v runuser >/dev/null; then
            (cd / && runuser -u postgres -- "$@") 3>&-
        else
            (cd / && su postgres -s /bin/bash -c "$(printf '%q ' "$@")") 3>&-
        fi
    else
        "$@" 3>&-
    fi
}

# An absolute path without resolving symlinks of the last part.
abs_path() {
    case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}

port_in_use() {
    local p="$1"
    if command -v ss >/dev/null && [ -n "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
        return 0
    fi
    # Something answering on loopback (or ss missing).
    (: <>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

pick_port() {
    local i p
    for ((i = 0; i < 100; i++)); do
        p=$((PORT_MIN + (RANDOM * 32768 + RANDOM) % (PORT_MAX - PORT_MIN)))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found in $PORT_MIN-$PORT_MAX"
}

# A new cluster directory: absent or empty, then marked, given to the
# server's user and reachable by it.
new_dir() {
    local dir="$1"
    case "$dir" in
    *,* | *$'\n'* | *"'"* | *\\*) die "$dir: a cluster directory may not contain a comma, quote, backslash or newline" ;;
    esac
    # The server's socket is DIR/.s.PGSQL.PORT, at most 107 bytes.
    [ "${#dir}" -le 90 ] || die "$dir: too long for the server's socket path (at most 90 characters)"
    if [ -e "$dir" ]; then
        [ -d "$dir" ] || die "$dir exists and is not a directory"
        [ -z "$(ls -A "$dir")" ] || die "$dir is not empty (a new cluster needs an empty or absent directory)"
    fi
    mkdir -p "$dir"
    : >"$dir/$MARK"
    chmod 755 "$dir"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "no OS user postgres to run the server as (root may not): install the Debian package postgresql: scripts/setup.sh"
        chown -R postgres: "$dir"
        as_pg test -w "$dir" -a -x "$dir" ||
            die "the OS user postgres cannot reach $dir: make its parent directories mode 755 (mktemp -d makes 700)"
    fi
}

# An existing cluster directory made by this script.
cluster_dir() {
    local dir
    dir=$(abs_path "$1")
    if [ ! -f "$dir/$MARK" ] || [ ! -f "$dir/data/PG_VERSION" ] || [ ! -f "$dir/port" ]; then
        die "$dir is not a cluster made by pg-cluster.sh (no $MARK, data/PG_VERSION or port)"
    fi
    printf '%s\n' "$dir"
}

uri_of() { printf 'postgresql://amanat@127.0.0.1:%s/amanat\n' "$(cat "$1/port")"; }

# The settings of a cluster, rewritten for a standby (its own port and socket
# directory); postgresql.conf includes this file last.
write_conf() {
    local dir="$1" port="$2"
    cat >"$dir/data/pg-cluster.conf" <<EOF
# Written by scripts/pg-cluster.sh: a throwaway test cluster on loopback.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
# Durable commits: the crash tests kill the server and count on them.
fsync = on
synchronous_commit = on
full_page_writes = on
# Standbys by pg_basebackup -R -X stream.
wal_level = replica
max_wal_senders = 4
wal_keep_size = '64MB'
hot_standby = on
EOF
    # A benchmark's own settings (bench/pg.sh), one per line.
    if [ -n "${PG_SETTINGS:-}" ]; then
        printf '%s\n' "$PG_SETTINGS" >>"$dir/data/pg-cluster.conf"
    fi
    printf '%s\n' "$port" >"$dir/port"
    if is_root; then chown postgres: "$dir/data/pg-cluster.conf" "$dir/port"; fi
}

pg_running() { as_pg "$PG_BIN/pg_ctl" status -D "$1/data" >/dev/null 2>&1; }

log_tail() {
    local f="$1"
    [ -f "$f" ] || return 0
    printf -- '--- last lines of %s:\n' "$f" >&2
    tail -n 25 "$f" >&2
    printf -- '---\n' >&2
}

wait_ready() {
    local port="$1" i
    for ((i = 0; i < 150; i++)); do
        "$PG_BIN/pg_isready" -q -U postgres -h 127.0.0.1 -p "$port" -d postgres -t 2 && return 0
        sleep 0.2
    done
    return 1
}

# Start the server of DIR and wait until it accepts connections. On a port
# picked here (fixed=no) a port taken in the meantime is replaced by another.
launch() {
    local dir="$1" fixed="$2" port tries
    port=$(cat "$dir/port")
    for ((tries = 1; ; tries++)); do
        if as_pg "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/log" -w -t 60 -s; then
            wait_ready "$port" && return 0
            log_tail "$dir/log"
            die "the server of $dir started but does not accept connections on 127.0.0.1:$port"
        fi
        if [ "$fixed" = no ] && [ "$tries" -lt 5 ] &&
            tail -n 20 "$dir/log" 2>/dev/null | grep -q -E 'could not bind|Address already in use|could not create any TCP/IP sockets'; then
            port=$(pick_port)
            echo "pg-cluster: port taken meanwhile, trying $port" >&2
            write_conf "$dir" "$port"
            continue
        fi
        log_tail "$dir/log"
        die "the server of $dir did not start on 127.0.0.1:$port (log: $dir/log; remove it with: scripts/pg-cluster.sh remove $dir)"
    done
}

admin_sql() {
    local port="$1"; shift
    "$PG_BIN/psql" -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

cmd_start() {
    if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
    find_pg_bin
    local dir port fixed=no
    dir=$(abs_path "$1")
    if [ $# -eq 2 ]; then
        port="$2"
        if [[ ! "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then
            die "port $port: not a number from 1024 to 65535"
        fi
        ! port_in_use "$port" || die "port $port is in use on this machine"
        fixed=yes
    else
        port=$(pick_port)
    fi
    new_dir "$dir"
    if ! as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1; then
        log_tail "$dir/initdb.log"
        die "initdb failed in $dir/data"
    fi
    printf "\n# Added by scripts/pg-cluster.sh, last so that it wins.\ninclude = 'pg-cluster.conf'\n" \
        >>"$dir/data/postgresql.conf"
    write_conf "$dir" "$port"
    launch "$dir" "$fixed"
    port=$(cat "$dir/port")
    admin_sql "$port" -c "CREATE ROLE amanat LOGIN SUPERUSER" \
        -c "CREATE DATABASE amanat OWNER amanat" ||
        die "could not create role and database amanat on 127.0.0.1:$port"
    uri_of "$dir" >&3
}

cmd_standby() {
    [ $# -eq 2 ] || usage
    find_pg_bin
    local dir sdir pport port
    dir=$(cluster_dir "$1")
    sdir=$(abs_path "$2")
    pport=$(cat "$dir/port")
    "$PG_BIN/pg_isready" -q -U postgres -h 127.0.0.1 -p "$pport" -d postgres -t 5 ||
        die "the cluster of $dir is not running on 127.0.0.1:$pport (start or restart it first)"
    new_dir "$sdir"
    printf '%s\n' "$dir" >"$sdir/primary"
    printf '%s\n' "$sdir" >>"$dir/standbys"
    # -c fast: an immediate checkpoint, not one spread over minutes.
    if ! as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$pport" -U postgres -w \
        -D "$sdir/data" -R -X stream -c fast >"$sdir/basebackup.log" 2>&1; then
        log_tail "$sdir/basebackup.log"
        die "pg_basebackup of $dir into $sdir/data failed"
    fi
    [ -f "$sdir/data/standby.signal" ] || die "pg_basebackup -R wrote no $sdir/data/standby.signal"
    port=$(pick_port)
    write_conf "$sdir" "$port"
    launch "$sdir" no
    uri_of "$sdir" >&3
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    find_pg_bin
    local dir
    dir=$(cluster_dir "$1")
    pg_running "$dir" || return 0
    as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 -s ||
        { log_tail "$dir/log"; die "pg_ctl stop -m fast failed for $dir"; }
}

cmd_crash() {
    [ $# -eq 1 ] || usage
    find_pg_bin
    local dir
    dir=$(cluster_dir "$1")
    pg_running "$dir" || die "the cluster of $dir is not running: nothing to crash"
    as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 60 -s ||
        { log_tail "$dir/log"; die "pg_ctl stop -m immediate failed for $dir"; }
}

cmd_restart() {
    [ $# -eq 1 ] || usage
    find_pg_bin
    local dir
    dir=$(cluster_dir "$1")
    if pg_running "$dir"; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 -s ||
            { log_tail "$dir/log"; die "pg_ctl stop -m fast failed for $dir"; }
    fi
    launch "$dir" yes
}

cmd_uri() {
    [ $# -eq 1 ] || usage
    local dir
    dir=$(cluster_dir "$1")
    uri_of "$dir" >&3
}

# Stop (immediately: it is deleted anyway) and delete one cluster directory.
remove_one() {
    local dir="$1"
    [ -f "$dir/$MARK" ] || return 0
    if [ -f "$dir/data/PG_VERSION" ] && pg_running "$dir"; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 60 -s ||
            die "could not stop the cluster of $dir"
    fi
    rm -rf "$dir"
}

cmd_remove() {
    [ $# -eq 1 ] || usage
    find_pg_bin
    local dir sdir
    dir=$(abs_path "$1")
    [ -e "$dir" ] || return 0
    [ -f "$dir/$MARK" ] || die "$dir was not made by pg-cluster.sh (no $dir/$MARK): not removing it"
    # The standbys made from it first, wherever they are: without their
    # primary they are of no use.
    if [ -f "$dir/standbys" ]; then
        while read -r sdir; do
            if [ -z "$sdir" ] || [ ! -d "$sdir" ]; then continue; fi
            case "$sdir" in "$dir"/*) ;; *) echo "pg-cluster: removing $dir's standby $sdir" >&2 ;; esac
            remove_one "$sdir"
        done <"$dir/standbys"
    fi
    # Any other cluster inside it.
    while read -r sdir; do
        remove_one "${sdir%/"$MARK"}"
    done < <(find "$dir" -mindepth 2 -maxdepth 4 -name "$MARK" 2>/dev/null || true)
    remove_one "$dir"
}

# ---------------------------------------------------------------- self-test

ST_TMP=""
st_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$ST_TMP" ] && [ -d "$ST_TMP" ]; then
        if [ "$rc" -ne 0 ]; then
            log_tail "$ST_TMP/primary/log"
            log_tail "$ST_TMP/standby/log"
        fi
        "$SELF" remove "$ST_TMP/primary" 2>/dev/null || true
        "$SELF" remove "$ST_TMP/standby" 2>/dev/null || true
        rm -rf "$ST_TMP"
    fi
    exit "$rc"
}

st_fail() {
    printf 'pg-cluster self-test: FAILED: %s\n' "$*" >&2
    exit 1
}

# psql on a URI: unaligned, tuples only, stop at the first error.
st_sql() {
    local uri="$1"; shift
    "$PG_BIN/psql" -X -w -q -A -t -v ON_ERROR_STOP=1 "$uri" "$@"
}

cmd_self_test() {
    [ $# -eq 0 ] || usage
    find_pg_bin
    trap st_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    ST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pg-cluster.XXXXXX")
    chmod 755 "$ST_TMP"
    local uri suri rows i out
    uri=$("$SELF" start "$ST_TMP/primary") || st_fail "start of a cluster in $ST_TMP/primary"
    [[ "$uri" =~ ^postgresql://amanat@127\.0\.0\.1:[0-9]+/amanat$ ]] ||
        st_fail "start printed '$uri', not postgresql://amanat@127.0.0.1:PORT/amanat"
    [ "$("$SELF" uri "$ST_TMP/primary")" = "$uri" ] || st_fail "uri does not print what start printed"
    st_sql "$uri" -c "CREATE TABLE t (id integer PRIMARY KEY, note text NOT NULL)" \
        -c "INSERT INTO t VALUES (1, 'before the standby')" ||
        st_fail "create a table and insert a row through $uri"

    suri=$("$SELF" standby "$ST_TMP/primary" "$ST_TMP/standby") || st_fail "standby of the cluster in $ST_TMP/standby"
    [ "$suri" != "$uri" ] || st_fail "the standby has the primary's port"
    st_sql "$uri" -c "INSERT INTO t VALUES (2, 'after the standby')" ||
        st_fail "insert a second row on the primary"
    rows=""
    for ((i = 0; i < 100; i++)); do
        rows=$(st_sql "$suri" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM t" 2>/dev/null || true)
        [ "$rows" = "1,2" ] && break
        sleep 0.2
    done
    [ "$rows" = "1,2" ] || st_fail "after 20 s the standby sees rows '$rows', not '1,2'"
    [ "$(st_sql "$suri" -c "SELECT pg_is_in_recovery()")" = t ] || st_fail "the standby is not in recovery"

    # SQLSTATE 25006: read_only_sql_transaction.
    if out=$(st_sql "$suri" -v VERBOSITY=verbose -c "INSERT INTO t VALUES (3, 'on the standby')" 2>&1); then
        st_fail "a write on the standby was accepted"
    fi
    grep -q '25006' <<<"$out" || st_fail "a write on the standby failed, but not as read-only: $out"

    "$SELF" crash "$ST_TMP/primary" || st_fail "crash (immediate stop) of the primary"
    "$PG_BIN/pg_isready" -q -U postgres -h 127.0.0.1 -p "$(cat "$ST_TMP/primary/port")" -t 2 &&
        st_fail "the primary still accepts connections after the crash"
    "$SELF" restart "$ST_TMP/primary" || st_fail "restart of the primary after the crash"
    rows=$(st_sql "$uri" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM t") ||
        st_fail "query the primary after the restart"
    [ "$rows" = "1,2" ] || st_fail "after crash and restart the primary has rows '$rows', not '1,2'"
    grep -q 'database system was interrupted\|was not properly shut down' "$ST_TMP/primary/log" ||
        st_fail "the restart after the crash ran no crash recovery (see $ST_TMP/primary/log)"

    "$SELF" stop "$ST_TMP/standby" || st_fail "stop of the standby"
    "$SELF" stop "$ST_TMP/standby" || st_fail "a second stop of the standby"
    "$SELF" remove "$ST_TMP/primary" || st_fail "remove of the primary"
    [ ! -e "$ST_TMP/primary" ] || st_fail "remove left $ST_TMP/primary"
    [ ! -e "$ST_TMP/standby" ] || st_fail "remove of the primary left its standby $ST_TMP/standby"
    echo "pg-cluster self-test: ok" >&3
}

[ $# -ge 1 ] || usage
cmd="$1"; shift
case "$cmd" in
start) cmd_start "$@" ;;
standby) cmd_standby "$@" ;;
stop) cmd_stop "$@" ;;
crash) cmd_crash "$@" ;;
restart) cmd_restart "$@" ;;
uri) cmd_uri "$@" ;;
remove) cmd_remove "$@" ;;
self-test) cmd_self_test "$@" ;;
-h | --help | help) usage ;;
*) echo "pg-cluster: unknown command '$cmd'" >&2; usage ;;
esac
