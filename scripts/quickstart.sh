#!/usr/bin/env bash
# The README's first command: set everything up, then run amanat's main job
# on the embedded SQLite default: a synthetic province through several months
# of the contribution cycle (registry, wage lists validated, assessed and
# posted, a payment, the views), then the checks a clerk would make.
#
#   scripts/quickstart.sh         on SQLite, in ./amanat.db
#   scripts/quickstart.sh --pg    on PostgreSQL: a local cluster of its own on
#                                 loopback (scripts/pg-cluster.sh) in
#                                 $AMANAT_PG_DEMO (/tmp/amanat-pg-demo), left
#                                 running; "scripts/pg-cluster.sh remove DIR"
#                                 stops and deletes it
set -euo pipefail
cd "$(dirname "$0")/.."
PG=0
case "${1:-}" in
--pg) PG=1 ;;
"") ;;
*) echo "usage: scripts/quickstart.sh [--pg]" >&2; exit 2 ;;
esac
scripts/setup.sh

if [ "$PG" = 1 ]; then
    # The demo's cluster: started once, reused after; its database is
    # emptied, as the SQLite demo's file is removed.
    PGDIR="${AMANAT_PG_DEMO:-/tmp/amanat-pg-demo}"
    if [ -f "$PGDIR/port" ]; then
        scripts/pg-cluster.sh restart "$PGDIR" 2>/dev/null || true
        URI=$(scripts/pg-cluster.sh uri "$PGDIR")
    else
        mkdir -p "$PGDIR" && chmod 755 "$PGDIR"
        URI=$(scripts/pg-cluster.sh start "$PGDIR")
    fi
    psql -X -q -v ON_ERROR_STOP=1 "$URI" \
        -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public"
    export AMANAT_DB="pg:$URI"
    echo "PostgreSQL cluster in $PGDIR: $URI (stop and delete it with: scripts/pg-cluster.sh remove $PGDIR)"
fi

# The demo's own database starts afresh, as its data does (a database of an
# older build of this unreleased schema would be refused); one named by
# AMANAT_DB is the user's and is kept.
if [ -z "${AMANAT_DB:-}" ]; then
    rm -f "$PWD/amanat.db" "$PWD/amanat.db-wal" "$PWD/amanat.db-shm"
fi
export AMANAT_DB="${AMANAT_DB:-$PWD/amanat.db}"
INSURED="${INSURED:-20000}"
MONTHS="${MONTHS:-3}"
DATA="${DATA:-$PWD/demo-data}"
amanat() { build/src/cli/amanat "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "amanat init: database $AMANAT_DB, Iran's rules"
amanat init

step "a synthetic province: $INSURED insured, $MONTHS months from 1404/01"
rm -rf "$DATA"
amanat generate --insured "$INSURED" --months "$MONTHS" --start 1404/01 \
    --seed 15 "$DATA"

step "import the registry (employers, workshops, persons, dependants)"
amanat import registry "$DATA"/registry/employers.csv \
    "$DATA"/registry/workshops.csv "$DATA"/registry/persons.csv \
    "$DATA"/registry/dependants.csv

step "import the wage lists: validate, assess with the rules of each month, post"
amanat import wages "$DATA"/wages

step "import them again: nothing changes"
amanat import wages "$DATA"/wages

worker=$(awk -F, 'NR == 2 { print $27 }' "$DATA"/wages/1404-01.csv)
workshop=$(awk -F, 'NR == 2 { print $1 }' "$DATA"/wages/1404-01.csv)
step "a worker's history ($worker) and what the employers reported"
amanat history "$worker"
amanat worker statement "$worker" 1404/01

step "a bank payment for workshop $workshop, and its account"
printf 'workshop,period,amount,date,reference\n%s,1404/01,1000000,1404/02/15,DEMO-%s\n' \
    "$workshop" "$workshop" > "$DATA"/payments.csv
amanat import payments "$DATA"/payments.csv
amanat employer statement "$workshop"

step "export the workshop's list of 1404/01 as ListDisk files (Windows-1256)"
amanat export dskwin "$workshop" 1404/01 "$DATA"/export
ls -l "$DATA"/export

step "identity checks"
amanat id check national 0499370899
amanat id check national ۰۴۹۹۳۷۰۸۹۸ || true
amanat id check sheba IR820540102680020817909002
amanat date convert ۱۴۰۳/۱۲/۳۰
amanat rules show --on 1404/07/01 wage.minimum.daily

step "audit verify"
amanat audit verify
