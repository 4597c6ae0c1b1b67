#!/bin/sh
# bench/generate.sh: time and peak memory of `amanat generate` for N insured
# (not a test). Usage: bench/generate.sh [N] [MONTHS] [csv|dbf] [OUTDIR]
# Defaults: 2,000,000 insured, 1 month, csv, a temporary directory (removed).
# AMANAT names the binary (default: build/src/cli/amanat).
set -eu

n=${1:-2000000}
months=${2:-1}
format=${3:-csv}
out=${4:-}
amanat=${AMANAT:-build/src/cli/amanat}
keep=1

if [ ! -x "$amanat" ]; then
	echo "generate.sh: no amanat binary at $amanat (set AMANAT)" >&2
	exit 2
fi
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/amanat-bench-gen.XXXXXX")
	keep=0
fi
log=$(mktemp "${TMPDIR:-/tmp}/amanat-bench-gen-time.XXXXXX")
trap 'rm -f "$log"; [ "$keep" = 1 ] || rm -rf "$out"' EXIT

# The fixed cost (rules, ICU, the binary) measured apart, so that the
# memory per insured is what grows with N.
/usr/bin/time -v "$amanat" generate --insured 1 "$out/baseline" \
	2>"$log" >/dev/null
base=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
rm -rf "$out/baseline"

/usr/bin/time -v "$amanat" generate --insured "$n" --months "$months" \
	--seed 1 --format "$format" "$out" 2>"$log" >/dev/null || {
	cat "$log" >&2
	exit 1
}

secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {
	n = split($2, t, ":"); s = 0
	for (i = 1; i <= n; i++) s = s * 60 + t[i]
	print s }' "$log")
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$log")
if [ "$format" = csv ]; then
	lines=$(cat "$out"/wages/*.csv | wc -l)
	lines=$((lines - months))
else
	lines=unknown
fi
persons=$(($(wc -l <"$out/registry/persons.csv") - 1))
bytes=$(du -sb "$out" | cut -f1)

echo "amanat generate: $n insured, $months month(s), $format"
echo "machine: $(nproc) cores, $(uname -m), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "wage lines: $lines; registry persons: $persons; output $((bytes / 1048576)) MiB"
echo "time: $secs s wall, $cpu s CPU; peak memory: $((rss / 1024)) MiB"
if [ "$lines" != unknown ]; then
	awk -v l="$lines" -v s="$secs" 'BEGIN {
		if (s > 0) printf "rate: %.0f lines/s end to end (registry included)\n", l / s }'
fi
awk -v r="$rss" -v b="$base" -v n="$n" 'BEGIN {
	printf "fixed memory: %.0f MiB; per insured: %.1f bytes; at 17,000,000 insured: ~%.0f MiB\n",
		b / 1024, (r - b) * 1024 / n, (b + (r - b) * 17000000 / n) / 1024 }'
