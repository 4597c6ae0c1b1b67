#!/usr/bin/env bash
# The PostgreSQL benchmark: one generated month of N insured (default
# 1,000,000 lines) imported end to end by amanat into PostgreSQL and into
# SQLite, beside the set-based SQL peer (../shared/peers/peer_pg.sql: COPY
# into a staging table, then INSERT ... SELECT with the assessment in SQL)
# on the same file, in the same run, on one throwaway cluster on loopback
# with the peer's settings (shared_buffers 2GB, max_wal_size 8GB).
#
#   bench/pg.sh                        1,000,000 insured, 3 rounds
#   INSURED=200000 ROUNDS=5 bench/pg.sh
#   PEER=/path/to/peer_pg.sql bench/pg.sh
#
# Each round: the registry is in place (loaded once, timed once, into a
# template database on PostgreSQL and a file on SQLite); amanat's database
# is a fresh copy of it; the peer's database is fresh. Wall seconds of each
# step, lines/s, and the ratio amanat/peer per round and its median.
set -euo pipefail
cd "$(dirname "$0")/.."
INSURED="${INSURED:-1000000}"
ROUNDS="${ROUNDS:-3}"
PEER="${PEER:-$(readlink -f ../shared/peers/peer_pg.sql 2>/dev/null || true)}"
WORK="${WORK:-$(mktemp -d /tmp/amanat-pgbench-XXXXXX)}"
chmod 755 "$WORK"
[ -x build/src/cli/amanat ] || scripts/setup.sh
AM="$PWD/build/src/cli/amanat"
export AMANAT_RULES="$PWD/rules/ir" AMANAT_PROGRESS=0
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

cleanup() { scripts/pg-cluster.sh remove "$WORK/pg" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB; $(uname -sr)"
echo "data: one month, $INSURED insured (generated, seed 1)"
"$AM" generate --insured "$INSURED" --months 1 --start 1404/01 --seed 1 \
    "$WORK/gen" >/dev/null
CSV="$WORK/gen/wages/1404-01.csv"
chmod 644 "$CSV"
# The peer's staging table has DSKWOR's 27 columns; the generator adds two
# (DSW_INC, DSW_SPOUSE) after them, which amanat reads and the peer does not.
grep -q '"' "$CSV" && { echo "pg.sh: quoted fields: cut would split them" >&2; exit 1; }
cut -d, -f1-27 "$CSV" >"$WORK/peer.csv"
chmod 644 "$WORK/peer.csv"
LINES=$(($(wc -l <"$CSV") - 1))
REG=("$WORK"/gen/registry/{employers,workshops,persons,dependants}.csv)

BASE=$(PG_SETTINGS=$'shared_buffers = 2GB\nmax_wal_size = 8GB' \
    scripts/pg-cluster.sh start "$WORK/pg" 2>"$WORK/pg-start.log")
ROOT="${BASE%/amanat}"
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$ROOT/$1" "${@:2}"; }
rate() { echo "scale=0; $LINES / $1" | bc; }

# The registry, once: imported into SQLite, and into PostgreSQL by both
# ways a country would take: "import registry" itself (REGISTRY_PG=import,
# slow on PostgreSQL: a round trip per row, issue 14's to make fast), or
# "db copy" of the SQLite database (the default).
psql_ amanat -c "CREATE DATABASE reg"
rows=$(($(cat "${REG[@]}" | wc -l) - 4))
t=$(now)
"$AM" --db "$WORK/reg.db" init >/dev/null
"$AM" --db "$WORK/reg.db" import registry "${REG[@]}" >/dev/null
sq_reg=$(since "$t")
printf 'registry: %d rows: SQLite import %.1f s (%.0f rows/s)\n' \
    "$rows" "$sq_reg" "$(echo "$rows / $sq_reg" | bc)"
t=$(now)
if [ "${REGISTRY_PG:-copy}" = import ]; then
    "$AM" --db "pg:$ROOT/reg" init >/dev/null
    "$AM" --db "pg:$ROOT/reg" import registry "${REG[@]}" >/dev/null
    how=import
else
    "$AM" db copy "$WORK/reg.db" "pg:$ROOT/reg" >/dev/null
    how="db copy from SQLite"
fi
pg_reg=$(since "$t")
printf 'registry: %d rows: PostgreSQL %s %.1f s (%.0f rows/s)\n' \
    "$rows" "$how" "$pg_reg" "$(echo "$rows / $pg_reg" | bc)"
psql_ reg -c "VACUUM ANALYZE" >/dev/null   # after "import registry"; db copy did it

printf '\n%-6s %12s %12s %12s %10s %10s\n' round pg_s sqlite_s peer_s pg/peer sqlite/peer
ratios=()
for r in $(seq 1 "$ROUNDS"); do
    psql_ amanat -c "DROP DATABASE IF EXISTS month" -c "DROP DATABASE IF EXISTS peer" \
        -c "CREATE DATABASE month TEMPLATE reg" -c "CREATE DATABASE peer"
    cp "$WORK/reg.db" "$WORK/month.db"
    # The copies' pages are written out before the clock starts, so that
    # neither the import nor the peer pays for the template's checkpoint.
    psql_ amanat -c "CHECKPOINT"
    sync
    t=$(now)
    "$AM" --db "pg:$ROOT/month" import wages "$CSV" >"$WORK/pg.out"
    pg_s=$(since "$t")
    t=$(now)
    "$AM" --db "$WORK/month.db" import wages "$CSV" >"$WORK/sq.out"
    sq_s=$(since "$t")
    peer_s=nan
    if [ -n "$PEER" ]; then
        psql_ amanat -c "CHECKPOINT"   # amanat's pages, out before the peer's clock
        sync
        t=$(now)
        psql_ peer -v csv="$WORK/peer.csv" -f "$PEER" >/dev/null
        peer_s=$(since "$t")
    fi
    ratio=$(echo "scale=2; $peer_s / $pg_s" | bc 2>/dev/null || echo nan)
    sratio=$(echo "scale=2; $peer_s / $sq_s" | bc 2>/dev/null || echo nan)
    ratios+=("$ratio")
    printf '%-6s %12.2f %12.2f %12s %9sx %9sx\n' "$r" "$pg_s" "$sq_s" "$peer_s" "$ratio" "$sratio"
    rm -f "$WORK"/month.db*
done
grep -h "lists accepted" "$WORK/pg.out" "$WORK/sq.out"
med=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "amanat on PostgreSQL is ${med}x the set-based SQL peer (median of $ROUNDS rounds; peer time / amanat time)"
