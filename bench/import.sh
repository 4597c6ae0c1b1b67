#!/usr/bin/env bash
# The wage-list import benchmark: generate one month of N insured (17
# million is the national month; the default is a quicker 1 million), then
# run bench_import: parse, validate+assess, end to end into SQLite, and the
# bare-insert floor, with lines/s, the ratio and the peak memory.
#   INSURED=17000000 bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
INSURED="${INSURED:-1000000}"
WORK="${WORK:-$(mktemp -d /tmp/amanat-bench-XXXXXX)}"
[ -x build/bench/bench_import ] || scripts/setup.sh
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB; $(uname -sr)"
echo "data: one month, $INSURED insured (generated, seed 1)"
/usr/bin/time -f "generate: %e s, peak %M KB" \
    build/src/cli/amanat generate --insured "$INSURED" --months 1 \
    --start 1404/01 "$WORK/gen" >/dev/null
build/bench/bench_import rules/ir "$WORK/gen/registry" \
    "$WORK/gen/wages/1404-01.csv" "$WORK"
rm -rf "$WORK"
