#!/usr/bin/env bash
# Reads from a replica (--read-db, $AMANAT_READ_DB): a primary and a hot
# standby made by pg_basebackup on loopback (scripts/pg-cluster.sh); lists
# imported on the primary are read on the standby, once it has replayed
# them, with the same output as on the primary; a write sent to the standby
# is refused, and nothing is written anywhere by a read. Exit 77 (skipped)
# when PostgreSQL's server is not installed.
set -euo pipefail
NAME=replica
. "$(dirname "$0")/lib.sh"

P=$("$CLUSTER" start "$T/primary" 2>"$T/start.log") || { cat "$T/start.log" >&2; fail "primary did not start"; }
S=$("$CLUSTER" standby "$T/primary" "$T/standby" 2>"$T/standby.log") || { cat "$T/standby.log" >&2; fail "standby did not start"; }
[ "$(psql -X -Atc 'SELECT pg_is_in_recovery()' "$S")" = t ] || fail "the standby is not in recovery"

# Wait until the standby has replayed everything the primary has written.
caught_up() {
    local lsn i
    lsn=$(psql -X -Atc 'SELECT pg_current_wal_lsn()' "$P")
    for i in $(seq 1 300); do
        [ "$(psql -X -Atc "SELECT pg_last_wal_replay_lsn() >= '$lsn'" "$S")" = t ] && return 0
        sleep 0.1
    done
    fail "the standby did not catch up with $lsn in 30 s"
}

"$AM" generate --insured 400 --months 3 --start 1404/01 --seed 7 "$T/gen" >/dev/null
"$AM" --db "pg:$P" init >/dev/null
"$AM" --db "pg:$P" import registry "$T"/gen/registry/{employers,workshops,persons,dependants}.csv >/dev/null
"$AM" --db "pg:$P" import wages "$T/gen/wages/1404-01.csv" "$T/gen/wages/1404-02.csv" >/dev/null
caught_up

worker=$(awk -F, 'NR == 2 { print $27 }' "$T/gen/wages/1404-01.csv")
workshop=$(awk -F, 'NR == 2 { print $1 }' "$T/gen/wages/1404-01.csv")
views() { # DB_FLAGS...: the read-only commands' outputs, one file
    "$AM" "$@" history "$worker"
    "$AM" "$@" history "$worker" --json
    "$AM" "$@" worker statement "$worker" 1404/02
    "$AM" "$@" employer statement "$workshop" --json
    rm -rf "$T/exp"
    "$AM" "$@" export dskwin "$workshop" 1404/01 "$T/exp" >/dev/null
    md5sum "$T"/exp/* | awk '{ print $1 }'
}
views --db "pg:$P" >"$T/primary.out"
views --db "pg:$P" --read-db "pg:$S" >"$T/replica.out"
AMANAT_READ_DB="pg:$S" views --db "pg:$P" >"$T/replica-env.out"
grep -q "1404/02" "$T/primary.out" || fail "the primary's views show nothing"
cmp -s "$T/primary.out" "$T/replica.out" || { diff "$T/primary.out" "$T/replica.out" >&2; fail "--read-db differs from the primary"; }
cmp -s "$T/primary.out" "$T/replica-env.out" || fail "\$AMANAT_READ_DB differs from the primary"

# The reads went to the standby: with the primary stopped they still work.
"$CLUSTER" stop "$T/primary" 2>/dev/null
"$AM" --db "pg:$P" --read-db "pg:$S" history "$worker" >"$T/alone.out" || fail "the standby alone could not be read"
head -1 "$T/primary.out" | cmp -s - <(head -1 "$T/alone.out") || fail "the standby alone reads otherwise"
"$CLUSTER" restart "$T/primary" 2>/dev/null

# A month imported on the primary reaches the standby once replayed.
"$AM" --db "pg:$P" import wages "$T/gen/wages/1404-03.csv" >/dev/null
caught_up
"$AM" --db "pg:$P" --read-db "pg:$S" worker statement "$worker" 1404/03 >"$T/m3-replica.out"
"$AM" --db "pg:$P" worker statement "$worker" 1404/03 >"$T/m3-primary.out"
cmp -s "$T/m3-primary.out" "$T/m3-replica.out" || fail "the third month differs on the standby"

# A write sent to the standby is refused, and says so.
if "$AM" --db "pg:$S" import wages "$T/gen/wages/1404-01.csv" >"$T/write.out" 2>&1; then
    fail "a write to the standby was accepted"
fi
grep -qi "read-only\|recovery" "$T/write.out" || { cat "$T/write.out" >&2; fail "the refusal does not say why"; }
echo "replica: reads on the hot standby equal the primary's; a write to it is refused"
