#!/usr/bin/env bash
# bench/sizes.sh: the bytes each table and index takes, on SQLite and on
# PostgreSQL 15, for a generated country of N insured and K months, and the
# WAL PostgreSQL writes for each month (docs/scale.md quotes its output).
#
#   bench/sizes.sh [--insured N] [--months K] [--keep DIR]
#
# Defaults: 200,000 insured, 3 months from 1404/01. Steps:
#  1. amanat generate; amanat init, import registry (persons, employers,
#     workshops, dependants), then for each month import wages and a bank
#     statement paying every list's workshop debt (import payments);
#     SQLite's bytes per table and index from dbstat after the registry and
#     after each month.
#  2. A throwaway PostgreSQL cluster (scripts/pg-cluster.sh), two databases
#     with the backend's schema (src/store/migrations_pg/0001_schema.sql):
#     "flat" as it is, "part" with person_index (the by-person index's
#     blocks), wage_lists and ledger partitioned by period, a partition a
#     month. The rows the SQLite file
#     holds are copied into both (each logical table exported by the sqlite3
#     shell as CSV, blobs as \x hex, then COPY), the registry first, then
#     month by month, each month in one transaction after a CHECKPOINT, with
#     pg_current_wal_lsn() read around it and around the VACUUM after it
#     (autovacuum off while measuring; "flat" runs VACUUM, "part" VACUUM
#     FREEZE). The by-person index's blocks and segments are SQLite's,
#     byte for byte (both backends pack them alike, src/store/blocks.c).
#     At the end, after a CHECKPOINT, one VACUUM (FREEZE) of everything,
#     with its WAL: the cost of freezing late.
#  3. A table: per object, its bytes after the registry and after the last
#     month, its growth per month (mean of months 2..K: the first month also
#     fills pages the registry left) and that growth per line posted.
#
# Needs the build (build/src/cli/amanat), sqlite3, PostgreSQL 15 and some
# 2 GB of free space per 200,000 insured and 3 months. --keep DIR keeps the
# data, the databases' CSV exports and the raw figures in DIR (the cluster is
# always removed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
INSURED=200000
MONTHS=3
KEEP=
while [ $# -gt 0 ]; do
    case "$1" in
    --insured) INSURED=$2; shift 2 ;;
    --months) MONTHS=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    *) echo "usage: bench/sizes.sh [--insured N] [--months K] [--keep DIR]" >&2
       exit 2 ;;
    esac
done
A=$ROOT/build/src/cli/amanat
RULES=$ROOT/rules/ir
[ -x "$A" ] || { echo "sizes.sh: build first (no $A)" >&2; exit 2; }
if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    WORK=$(cd "$KEEP" && pwd)
else
    WORK=$(mktemp -d /tmp/amanat-sizes-XXXXXX)
fi
# The server runs as postgres when we are root: it must reach WORK/pg.
chmod 755 "$WORK"
PGDIR=$WORK/pg
cleanup() {
    [ ! -d "$PGDIR" ] || "$ROOT/scripts/pg-cluster.sh" remove "$PGDIR" \
        >/dev/null 2>&1 || true
    [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
OUT=$WORK/figures            # "stage backend object kind bytes" lines
: >"$OUT"
say() { printf '%s\n' "$*" >&2; }

# -- 1. SQLite ---------------------------------------------------------------
say "generating $INSURED insured, $MONTHS months"
"$A" generate --insured "$INSURED" --months "$MONTHS" --start 1404/01 \
    gen >gen.log
DB=$WORK/amanat.db
"$A" --db "$DB" --rules "$RULES" init >/dev/null
"$A" --db "$DB" --rules "$RULES" import registry gen/registry/persons.csv \
    gen/registry/employers.csv gen/registry/workshops.csv \
    gen/registry/dependants.csv >/dev/null

sq_snap() { # stage
    sqlite3 -separator ' ' "$DB" "
        SELECT '$1', 'sqlite', d.name,
               coalesce(s.type, 'schema'), sum(d.pgsize)
        FROM dbstat d LEFT JOIN sqlite_schema s ON s.name = d.name
        GROUP BY d.name" >>"$OUT"
}
sq_snap 0
audit_seq=$(sqlite3 "$DB" "SELECT coalesce(max(seq), 0) FROM audit")
echo "$audit_seq" >audit.0
PERIODS=
i=0
for f in gen/wages/*.csv; do
    i=$((i + 1))
    p=$(basename "$f" .csv)
    p=${p%-*}${p#*-}                        # 1404-01 -> 140401
    PERIODS="$PERIODS $p"
    say "SQLite: month $i ($p)"
    "$A" --db "$DB" --rules "$RULES" import wages "$f" >/dev/null
    # The bank statement: every workshop pays its list's debt on the 15th
    # of the next month.
    sqlite3 -csv -header "$DB" "
        SELECT workshop, printf('%d/%02d', year, month) AS period,
               owed_workshop AS amount,
               printf('%d/%02d/15', year + (month = 12), month % 12 + 1)
                   AS date,
               'B' || period || '-' || workshop || '-' || list_no
                   AS reference
        FROM wage_lists WHERE period = $p AND owed_workshop > 0
        ORDER BY id" >pay-$p.csv
    "$A" --db "$DB" --rules "$RULES" import payments pay-$p.csv >/dev/null
    sq_snap "$i"
    sqlite3 "$DB" "SELECT max(seq) FROM audit" >audit.$i
    echo "lines $i $(sqlite3 "$DB" \
        "SELECT sum(lines) FROM wage_lists WHERE period = $p")" >>"$OUT"
done
sqlite3 -separator ' ' "$DB" "
    SELECT 'count', 'persons', count(*) FROM persons;
    SELECT 'count', 'employers', count(*) FROM employers;
    SELECT 'count', 'workshops', count(*) FROM workshops;
    SELECT 'count', 'dependants', count(*) FROM dependants;
    SELECT 'count', 'lists', count(*) FROM wage_lists;
    SELECT 'count', 'lines', sum(lines) FROM wage_lists;
    SELECT 'count', 'payments', count(*) FROM payments;
    SELECT 'count', 'ledger', count(*) FROM ledger;
    SELECT 'count', 'audit', count(*) FROM audit;
    SELECT 'count', 'page_size', page_size FROM pragma_page_size;
    SELECT 'count', 'file', page_count * page_size FROM pragma_page_count,
        pragma_page_size;" >>"$OUT"

# -- 2. PostgreSQL -----------------------------------------------------------
say "PostgreSQL: a throwaway cluster"
URI=$("$ROOT/scripts/pg-cluster.sh" start "$PGDIR" 2>pg-start.log)
URI_PART=${URI%/*}/amanat_part
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
q -d "$URI" -c "ALTER SYSTEM SET autovacuum = off" \
    -c "SELECT pg_reload_conf()" -c "CREATE DATABASE amanat_part" >/dev/null
for u in "$URI" "$URI_PART"; do
    q -d "$u" -1 -f "$ROOT/src/store/migrations_pg/0001_schema.sql" >/dev/null
done

# "part": the three tables that grow with the months, partitioned by period.
# A unique key of a partitioned table must hold the partition key, so the
# lists' and the ledger's ids become (period, id), and the link from an
# amended list to its successor (period, superseded_by): an amendment has
# its list's period. The ids are copied
# in, so the lists' id is left without its identity default here.
q -d "$URI_PART" -1 >/dev/null <<'SQL'
CREATE TABLE pi (LIKE person_index INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (period);
DROP TABLE person_index;
ALTER TABLE pi RENAME TO person_index;
ALTER TABLE person_index ADD PRIMARY KEY (period, segment, first_code);

CREATE TABLE wl (LIKE wage_lists INCLUDING CONSTRAINTS INCLUDING STORAGE)
    PARTITION BY RANGE (period);
DROP TABLE wage_lists;
ALTER TABLE wl RENAME TO wage_lists;
ALTER TABLE wage_lists ADD PRIMARY KEY (period, id),
    ADD FOREIGN KEY (period, superseded_by)
        REFERENCES wage_lists (period, id) DEFERRABLE;
CREATE UNIQUE INDEX wage_lists_key
    ON wage_lists (period, workshop, list_no, revision);
CREATE TRIGGER wage_lists_fixed BEFORE UPDATE OF id, workshop, year, month,
    period, list_no, revision, hash, lines, t_days, t_subject, t_insured,
    t_employer, t_state, t_unemployment, t_hard_harmful, owed_workshop,
    owed_state, rules_identity, due_date, state_pays_employer, txn,
    value_date, posted_at, body ON wage_lists
    FOR EACH ROW EXECUTE FUNCTION
    amanat_refuse('a posted wage list is not edited: amend it');
CREATE TRIGGER wage_lists_no_delete BEFORE DELETE ON wage_lists
    FOR EACH ROW EXECUTE FUNCTION
    amanat_refuse('a posted wage list is not deleted: amend it');

CREATE TABLE lg (LIKE ledger INCLUDING CONSTRAINTS INCLUDING STORAGE)
    PARTITION BY RANGE (period);
DROP TABLE ledger;
ALTER TABLE lg RENAME TO ledger;
ALTER TABLE ledger ADD PRIMARY KEY (period, id);
CREATE INDEX ledger_workshop ON ledger (workshop, id);
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION
    amanat_refuse('the ledger is append-only');
SQL
for p in $PERIODS; do
    next=$((p % 100 == 12 ? p + 89 : p + 1))
    for t in person_index wage_lists ledger; do
        echo "CREATE TABLE ${t}_$p PARTITION OF $t
              FOR VALUES FROM ($p) TO ($next);"
    done
done | q -d "$URI_PART" -1 >/dev/null

# A logical table's rows from the SQLite file as CSV (blobs as \x hex, which
# COPY reads into bytea), in the columns' order.
export_csv() { # table where file
    local cols sel
    cols=$(sqlite3 "$DB" "SELECT group_concat(name, ',')
                          FROM pragma_table_info('$1')")
    sel=$(sqlite3 "$DB" "SELECT group_concat(CASE WHEN type = 'BLOB'
                              THEN '''\\x'' || hex(' || name || ')'
                              ELSE name END, ', ')
                         FROM pragma_table_info('$1')")
    sqlite3 -csv "$DB" "SELECT $sel FROM $1 WHERE $2 ORDER BY 1" >"$3"
    echo "\\copy $1 ($cols) FROM '$3' WITH (FORMAT csv)"
}
lsn() { q -d "$URI" -c "SELECT pg_current_wal_lsn()"; }
wal_since() { # lsn
    q -d "$URI" -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$1')"
}
pg_snap() { # stage db uri
    q -F ' ' -d "$3" >>"$OUT" <<SQL
WITH t AS (
    SELECT c.oid, c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition AND c.relname NOT LIKE 'sizes\_%'),
-- pg_partition_tree() has no row for a table that is not partitioned.
leaf AS (
    SELECT t.relname, c.oid AS relid, c.reltoastrelid FROM t
    LEFT JOIN LATERAL (SELECT relid FROM pg_partition_tree(t.oid)
                       WHERE isleaf) p ON true
    JOIN pg_class c ON c.oid = coalesce(p.relid, t.oid))
SELECT '$1', '$2', relname, 'table',
       sum(pg_total_relation_size(relid) - pg_indexes_size(relid)
           - coalesce(pg_total_relation_size(reltoastrelid), 0))
FROM leaf GROUP BY relname
UNION ALL
SELECT '$1', '$2', relname || '.toast', 'toast',
       sum(pg_total_relation_size(reltoastrelid))
FROM leaf WHERE reltoastrelid <> 0 GROUP BY relname
UNION ALL
SELECT '$1', '$2', i.relname, 'index',
       sum(pg_relation_size(coalesce(p.relid, i.oid)))
FROM pg_class i JOIN pg_namespace n ON n.oid = i.relnamespace
LEFT JOIN LATERAL (SELECT relid FROM pg_partition_tree(i.oid)
                   WHERE isleaf) p ON true
WHERE n.nspname = 'public' AND i.relkind IN ('i', 'I')
  AND NOT i.relispartition AND i.relname NOT LIKE 'sizes\_%'
GROUP BY i.relname;
SQL
}
vacuum_all() { # uri freeze(0/1)
    local opt="(ANALYZE)"
    [ "$2" = 1 ] && opt="(FREEZE, ANALYZE)"
    q -d "$1" -c "VACUUM $opt" >/dev/null
}

say "PostgreSQL: the registry"
{
    for t in persons employers workshops dependants meta; do
        export_csv "$t" 1 "reg-$t.csv"
    done
    export_csv audit "seq <= $(cat audit.0)" reg-audit.csv
} >load-0.sql
for db in flat part; do
    u=$URI; [ $db = flat ] || u=$URI_PART
    q -d "$u" -c CHECKPOINT >/dev/null
    l0=$(lsn)
    q -d "$u" -1 -f load-0.sql >/dev/null
    echo "wal $db 0 load $(wal_since "$l0")" >>"$OUT"
    vacuum_all "$u" $([ $db = flat ] && echo 0 || echo 1)
    pg_snap 0 "pg-$db" "$u"
done

i=0
for p in $PERIODS; do
    i=$((i + 1))
    say "PostgreSQL: month $i ($p)"
    prev=$(cat audit.$((i - 1))); cur=$(cat audit.$i)
    {
        export_csv wage_lists "period = $p" wl-$p.csv
        export_csv ledger "period = $p" lg-$p.csv
        export_csv payments "period = $p" pm-$p.csv
        export_csv audit "seq > $prev AND seq <= $cur" au-$p.csv
        export_csv index_segments "period = $p" is-$p.csv
        export_csv person_index "period = $p" pi-$p.csv
    } >load-$i.sql
    for db in flat part; do
        u=$URI; freeze=0
        [ $db = flat ] || { u=$URI_PART; freeze=1; }
        q -d "$u" -c CHECKPOINT >/dev/null
        l0=$(lsn)
        t0=$(date +%s.%N)
        q -d "$u" -1 -f load-$i.sql >/dev/null
        t1=$(date +%s.%N)
        echo "wal $db $i load $(wal_since "$l0")" >>"$OUT"
        echo "secs $db $i $(awk "BEGIN { print $t1 - $t0 }")" >>"$OUT"
        l0=$(lsn)
        vacuum_all "$u" $freeze
        echo "wal $db $i vacuum $(wal_since "$l0")" >>"$OUT"
        pg_snap "$i" "pg-$db" "$u"
    done
done
for db in flat part; do
    u=$URI; [ $db = flat ] || u=$URI_PART
    q -d "$u" -c CHECKPOINT >/dev/null
    l0=$(lsn)
    vacuum_all "$u" 1
    echo "wal $db end freeze $(wal_since "$l0")" >>"$OUT"
    echo "count dbsize-$db $(q -d "$u" -c "SELECT pg_database_size(current_database())")" >>"$OUT"
done
PGV=$(q -d "$URI" -c "SHOW server_version")

# -- 3. The table ------------------------------------------------------------
echo "amanat bench/sizes.sh: $INSURED insured, $MONTHS months from 1404/01"
echo "machine: $(nproc) cores; SQLite $(sqlite3 --version | cut -d' ' -f1), PostgreSQL $PGV"
awk -v K="$MONTHS" '
function fmt(b) {
    if (b < 0) return "-" fmt(-b)
    if (b >= 1073741824) return sprintf("%.2f GiB", b / 1073741824)
    if (b >= 1048576) return sprintf("%.1f MiB", b / 1048576)
    if (b >= 1024) return sprintf("%.0f KiB", b / 1024)
    return b " B"
}
$1 == "count" { cnt[$2] = $3; next }
$1 == "lines" { lines[$2] = $3; if ($2 >= 2) later += $3; next }
$1 == "wal" { wal[$2, $3, $4] = $5; next }
$1 == "secs" { secs[$2, $3] = $4; next }
{
    key = $2 SUBSEP $3
    if (!(key in kind)) { order[++n] = key; kind[key] = $4 }
    size[$1, $2, $3] = $5
}
END {
    sorter = "sort -t \"\t\" -k1,1 -k2,2r | cut -f3-"
    nb = split("sqlite pg-flat pg-part", bs, " ")
    for (j = 1; j <= nb; j++) rank[bs[j]] = j
    printf "data: %d persons, %d employers, %d workshops, %d dependants; ",
        cnt["persons"], cnt["employers"], cnt["workshops"], cnt["dependants"]
    printf "%d lines in %d lists, %d payments, %d ledger rows, %d audit entries\n",
        cnt["lines"], cnt["lists"], cnt["payments"], cnt["ledger"], cnt["audit"]
    printf "lines a month:"
    for (m = 1; m <= K; m++) printf " %d", lines[m]
    printf "; months 2..%d: %.0f lines a month\n", K, later / (K - 1)
    per = later / (K - 1)
    printf "SQLite file %s (page %d B); PostgreSQL databases: flat %s, part %s\n\n",
        fmt(cnt["file"]), cnt["page_size"], fmt(cnt["dbsize-flat"]),
        fmt(cnt["dbsize-part"])
    printf "%-9s %-32s %-6s %12s %12s %12s %9s\n", "backend", "object", "kind",
        "registry", "month " K, "a month", "B/line"
    for (j = 1; j <= n; j++) {
        split(order[j], kb, SUBSEP)
        b = kb[1]; o = kb[2]
        r = size[0, b, o] + 0; f = size[K, b, o] + 0
        g = (f - size[1, b, o]) / (K - 1)
        tot[b, 0] += r; tot[b, K] += f; tot[b, "g"] += g
        if (f <= 65536 && r <= 65536) { small[b] += f; continue }
        # By backend, the largest at the end first.
        printf "%d\t%015d\t%-9s %-32s %-6s %12s %12s %12s %9.1f\n", rank[b], f,
            b, o, kind[order[j]], fmt(r), fmt(f), fmt(g), g / per | sorter
    }
    close(sorter)
    for (j = 1; j <= nb; j++)
        printf "%-9s %-32s %-6s %12s %12s %12s\n", bs[j],
            "(the rest, 64 KiB or less each)", "", "", fmt(small[bs[j]]), ""
    printf "\n"
    for (j = 1; j <= nb; j++) {
        b = bs[j]
        printf "%-9s %-32s %-6s %12s %12s %12s %9.1f\n", b, "TOTAL", "",
            fmt(tot[b, 0]), fmt(tot[b, K]), fmt(tot[b, "g"]), tot[b, "g"] / per
    }
    printf "\nPostgreSQL WAL (after a CHECKPOINT; autovacuum off):\n"
    printf "%-5s %-6s %14s %9s %12s %8s\n", "db", "month", "load", "B/line",
        "vacuum", "load s"
    for (d = 0; d < 2; d++) {
        db = d ? "part" : "flat"
        printf "%-5s %-6s %14s %9s %12s\n", db, "reg", fmt(wal[db, 0, "load"]),
            "", ""
        for (m = 1; m <= K; m++)
            printf "%-5s %-6d %14s %9.1f %12s %8.2f\n", db, m,
                fmt(wal[db, m, "load"]), wal[db, m, "load"] / lines[m],
                fmt(wal[db, m, "vacuum"]), secs[db, m]
        printf "%-5s %-6s %14s   (VACUUM (FREEZE) of everything at the end)\n",
            db, "end", fmt(wal[db, "end", "freeze"])
    }
}' "$OUT"
