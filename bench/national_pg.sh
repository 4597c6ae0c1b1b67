#!/usr/bin/env bash
# The national month into PostgreSQL: 17 million insured (1.4 million
# workshops, 40 million persons in the registry), one month of wage lists
# imported end to end by "amanat import wages" into a throwaway cluster on
# loopback, and the same month into SQLite beside it.
#
# The registry is loaded by SQL, as bench/national.sh loads SQLite's: the
# generator's CSV files COPYed into staging tables and inserted sorted by
# key into a database made by "amanat init" (names, sex, workshops' terms;
# birth dates and nationalities left out, which the wage import does not
# read). Timed, with the sizes of its tables and indexes. The SQLite side
# is a copy of bench/national.sh's reg.db when WORKDIR has one (run that
# first to have it); else it is left out.
#   bench/national_pg.sh [WORKDIR]   (WORKDIR shared with national.sh;
#                                     needs about 40 GB free)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-$(mktemp -d /tmp/amanat-national-XXXXXX)}"
INSURED="${INSURED:-17000000}"
[ -x build/src/cli/amanat ] || scripts/setup.sh
A="$PWD/build/src/cli/amanat"
export AMANAT_RULES="$PWD/rules/ir" AMANAT_PROGRESS=0
mkdir -p "$WORK"
chmod 755 "$WORK"
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB; $(uname -sr)"
if [ ! -f "$WORK/g/wages/1404-01.csv" ]; then
    /usr/bin/time -f "generate: %e s, peak %M KB" \
        "$A" generate --insured "$INSURED" --months 1 --start 1404/01 "$WORK/g"
fi
chmod -R a+rX "$WORK/g"
CSV="$WORK/g/wages/1404-01.csv"
LINES=$(($(wc -l <"$CSV") - 1))

cleanup() { scripts/pg-cluster.sh remove "$WORK/pg" 2>/dev/null || true; }
trap cleanup EXIT
BASE=$(PG_SETTINGS=$'shared_buffers = 2GB\nmax_wal_size = 16GB\nmaintenance_work_mem = 1GB' \
    scripts/pg-cluster.sh start "$WORK/pg" 2>"$WORK/pg-start.log")
ROOT="${BASE%/amanat}"
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$ROOT/$1" "${@:2}"; }

psql_ amanat -c "CREATE DATABASE reg"
"$A" --db "pg:$ROOT/reg" init >/dev/null
t=$(now)
psql_ reg <<SQL
CREATE UNLOGGED TABLE st_emp (id text, kind text, name text);
CREATE UNLOGGED TABLE st_ws (code text, name text, employer_id text,
    address text, province text, branch text, activity text, scheme text,
    hard_harmful int, small_exempt int);
CREATE UNLOGGED TABLE st_p (national_code text, first_name text,
    last_name text, father_name text, birth_date text, sex text,
    nationality text, insurance_no text);
\copy st_emp FROM '$WORK/g/registry/employers.csv' (FORMAT csv, HEADER)
\copy st_ws FROM '$WORK/g/registry/workshops.csv' (FORMAT csv, HEADER)
\copy st_p FROM '$WORK/g/registry/persons.csv' (FORMAT csv, HEADER)
BEGIN;
INSERT INTO employers (id, kind, name, created_at, updated_at)
  SELECT id, kind, name, 0, 0 FROM st_emp ORDER BY id COLLATE "C";
INSERT INTO workshops (code, name, employer_id, address, province, branch,
    activity, scheme, hard_harmful, small_exempt, created_at, updated_at)
  SELECT code, name, nullif(employer_id, ''), address, province, branch,
    activity, scheme, hard_harmful, small_exempt, 0, 0
  FROM st_ws ORDER BY code COLLATE "C";
INSERT INTO persons (national_code, first_name, last_name, father_name, sex,
    insurance_no, created_at, updated_at)
  SELECT national_code, first_name, last_name, nullif(father_name, ''), sex,
    nullif(insurance_no, ''), 0, 0 FROM st_p ORDER BY national_code COLLATE "C";
COMMIT;
DROP TABLE st_emp;
DROP TABLE st_ws;
DROP TABLE st_p;
VACUUM ANALYZE;
CHECKPOINT;
SQL
reg_s=$(since "$t")
rows=$(psql_ reg -At -c "SELECT (SELECT count(*) FROM persons) + (SELECT count(*) FROM workshops) + (SELECT count(*) FROM employers)")
printf 'registry by SQL into PostgreSQL: %d rows in %.1f s (%.0f rows/s)\n' \
    "$rows" "$reg_s" "$(echo "$rows / $reg_s" | bc)"
psql_ reg -c "SELECT relname AS table, pg_size_pretty(pg_table_size(oid)) AS heap,
    pg_size_pretty(pg_indexes_size(oid)) AS indexes FROM pg_class
    WHERE relname IN ('persons', 'workshops', 'employers') ORDER BY relname"

psql_ amanat -c "CREATE DATABASE month TEMPLATE reg" -c "CHECKPOINT"
sync
t=$(now)
/usr/bin/time -f "  (client: %U s user, %S s sys, peak %M KB)" \
    "$A" --db "pg:$ROOT/month" import wages "$CSV" >"$WORK/pg.out"
pg_s=$(since "$t")
tail -1 "$WORK/pg.out"
printf 'national month into PostgreSQL: %d lines in %.1f s (%.0f lines/s)\n' \
    "$LINES" "$pg_s" "$(echo "$LINES / $pg_s" | bc)"
psql_ month -c "SELECT relname AS table, pg_size_pretty(pg_table_size(oid)) AS heap,
    pg_size_pretty(pg_indexes_size(oid)) AS indexes FROM pg_class
    WHERE relname IN ('wage_lists', 'ledger', 'person_index', 'index_segments')
    ORDER BY relname"
t=$(now)
"$A" --db "pg:$ROOT/month" audit verify | tail -1
printf 'audit verify: %.1f s\n' "$(since "$t")"
# A person's history, read through the by-person index: the first code of
# the file and one from its middle.
col=$(head -1 "$CSV" | tr ',' '\n' | grep -n '^PER_NATCOD$' | cut -d: -f1)
for code in $(sed -n "2p;$((LINES / 2))p" "$CSV" | cut -d, -f"$col"); do
    t=$(now)
    "$A" --db "pg:$ROOT/month" history "$code" >/dev/null
    printf 'history %s: %.3f s (the command, connection included)\n' \
        "$code" "$(since "$t")"
done

if [ -f "$WORK/reg.db" ]; then
    cp "$WORK/reg.db" "$WORK/month.db"
    sync
    t=$(now)
    "$A" --db "$WORK/month.db" import wages "$CSV" >"$WORK/sq.out"
    sq_s=$(since "$t")
    tail -1 "$WORK/sq.out"
    printf 'national month into SQLite: %d lines in %.1f s (%.0f lines/s)\n' \
        "$LINES" "$sq_s" "$(echo "$LINES / $sq_s" | bc)"
    rm -f "$WORK"/month.db*
fi
