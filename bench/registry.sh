#!/usr/bin/env bash
# The first month of a new country: the registry loaded by "amanat import
# registry" from the generator's four CSV files, end to end (rows/s, peak
# memory), then one month of wage lists imported twice, cold (a fresh
# database: every workshop registered from its list's header with
# --register-workshops, every person from the line) and warm (into the
# loaded registry), with their ratio.
#   bench/registry.sh [--insured N] [--gen DIR] [--pairs P] [WORKDIR]
# N defaults to 1,000,000 (3.9 million registry rows); 17000000 is the
# national size (66.5 million rows: 40.4 million persons, 23.4 million
# dependants, 1.4 million workshops and 1.35 million employers; about 60
# GB free needed). --gen reuses a generated folder (registry/, wages/) of
# that size. --pairs runs the two months P times in turn (default 1), each
# cold into a fresh database and each warm into a fresh copy of the
# registry, with each pair's ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
INSURED=1000000
GEN=
PAIRS=1
while [ $# -gt 0 ]; do
    case "$1" in
    --insured) INSURED="$2"; shift 2 ;;
    --gen) GEN="$2"; shift 2 ;;
    --pairs) PAIRS="$2"; shift 2 ;;
    *) break ;;
    esac
done
WORK="${1:-$(mktemp -d /tmp/amanat-registry-XXXXXX)}"
[ -x build/src/cli/amanat ] || scripts/setup.sh
A="$PWD/build/src/cli/amanat"
mkdir -p "$WORK"
GEN="${GEN:-$WORK/g}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB; $(uname -sr)"
echo "amanat $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ ! -f "$GEN/wages/1404-01.csv" ]; then
    /usr/bin/time -f "generate: %e s, peak %M KB" \
        "$A" generate --insured "$INSURED" --months 1 --start 1404/01 \
        --seed 7 --format csv "$GEN" >/dev/null
fi
R="$GEN/registry"
rows=0
for f in employers workshops persons dependants; do
    n=$(($(wc -l <"$R/$f.csv") - 1))
    echo "  $f.csv: $n rows, $(du -m "$R/$f.csv" | cut -f1) MB"
    rows=$((rows + n))
done
lines=$(($(wc -l <"$GEN/wages/1404-01.csv") - 1))
echo "registry: $rows rows; month: $lines lines"

# One run of a command: its wall seconds, and the line /usr/bin/time wrote.
timed() {
    local what="$1"
    shift
    /usr/bin/time -o "$WORK/time" -f "%e %U %S %M" "$@" >"$WORK/out" 2>&1 ||
        { cat "$WORK/out"; exit 1; }
    read -r wall user sys peak <"$WORK/time"
    printf '%-28s %8.1f s  user %6.1f  sys %5.1f  peak %5d MB\n' \
        "$what" "$wall" "$user" "$sys" $((peak / 1024))
}
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

rm -f "$WORK"/reg.db*
"$A" --db "$WORK/reg.db" init >/dev/null
sync
timed "import registry" "$A" --db "$WORK/reg.db" import registry \
    "$R/employers.csv" "$R/workshops.csv" "$R/persons.csv" \
    "$R/dependants.csv"
reg_s=$wall
echo "  registry: $(per_s "$rows" "$reg_s") rows/s end to end"
timed "import registry, again" "$A" --db "$WORK/reg.db" import registry \
    "$R/employers.csv" "$R/workshops.csv" "$R/persons.csv" \
    "$R/dependants.csv"
"$A" --db "$WORK/reg.db" audit verify | tail -1

# The month: cold into a fresh database, warm into a copy of the registry,
# in turn.
sqlite3 "$WORK/reg.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
for pair in $(seq 1 "$PAIRS"); do
    rm -f "$WORK"/cold.db* "$WORK"/warm.db*
    "$A" --db "$WORK/cold.db" init >/dev/null
    cp "$WORK/reg.db" "$WORK/warm.db"
    sync
    timed "month, cold ($pair)" "$A" --db "$WORK/cold.db" import wages \
        --register-workshops "$GEN/wages/1404-01.csv"
    cold_s=$wall
    timed "month, warm ($pair)" "$A" --db "$WORK/warm.db" import wages \
        "$GEN/wages/1404-01.csv"
    warm_s=$wall
    echo "  month cold: $(per_s "$lines" "$cold_s") lines/s;" \
        "warm: $(per_s "$lines" "$warm_s") lines/s;" \
        "cold / warm speed: $(awk -v c="$cold_s" -v w="$warm_s" \
            'BEGIN { printf "%.3f", w / c }')"
done
