#!/usr/bin/env bash
# Two "amanat import wages" processes writing one PostgreSQL database at
# once, on the same months: every list is posted exactly once (the two
# "new" counts add up to the lists, the rest "already there"), none is lost,
# the histories and statements equal those of one import alone (on SQLite),
# and the audit chain verifies. Exit 77 (skipped) without PostgreSQL.
set -euo pipefail
NAME=concurrent
. "$(dirname "$0")/lib.sh"

P=$("$CLUSTER" start "$T/pg" 2>"$T/start.log") || { cat "$T/start.log" >&2; fail "cluster did not start"; }
"$AM" generate --insured 3000 --months 3 --start 1404/01 --seed 3 "$T/gen" >/dev/null
REG=("$T"/gen/registry/{employers,workshops,persons,dependants}.csv)
for db in "pg:$P" "$T/alone.db"; do
    "$AM" --db "$db" init >/dev/null
    "$AM" --db "$db" import registry "${REG[@]}" >/dev/null
done
"$AM" --db "$T/alone.db" import wages "$T/gen/wages" >"$T/alone.out"
lists=$(sed -n 's/^\([0-9]*\) lists accepted.*/\1/p' "$T/alone.out")
[ "${lists:-0}" -gt 100 ] || fail "the control import posted ${lists:-no} lists"

# The two at once, the months in opposite orders so that they meet, in
# transactions of a few lists each so that they take turns many times.
"$AM" --db "pg:$P" import wages --batch 300 "$T"/gen/wages/1404-0{1,2,3}.csv >"$T/a.out" 2>&1 &
a=$!
"$AM" --db "pg:$P" import wages --batch 300 "$T"/gen/wages/1404-0{3,2,1}.csv >"$T/b.out" 2>&1 &
b=$!
wait "$a" || { cat "$T/a.out" >&2; fail "the first import failed"; }
wait "$b" || { cat "$T/b.out" >&2; fail "the second import failed"; }

new() { sed -n 's/.*(\([0-9]*\) new.*/\1/p' "$1"; }
there() { sed -n 's/.*new, \([0-9]*\) already there.*/\1/p' "$1"; }
na=$(new "$T/a.out"); nb=$(new "$T/b.out")
[ $((na + nb)) -eq "$lists" ] || fail "posted $na + $nb lists, not $lists once each"
[ $(($(there "$T/a.out") + $(there "$T/b.out"))) -eq "$lists" ] ||
    fail "the lists not posted by one were not found by the other"
echo "import A posted $na lists, import B $nb, of $lists"

# The result is one import's.
"$AM" --db "pg:$P" audit verify >/dev/null || fail "the audit chain does not verify"
for code in $(awk -F, 'NR > 1 && NR % 499 == 2 { print $27 }' "$T/gen/wages/1404-02.csv"); do
    cmp -s <("$AM" --db "$T/alone.db" history "$code" --json) \
        <("$AM" --db "pg:$P" history "$code" --json) || fail "history of $code differs"
done
for w in $(awk -F, 'NR > 1 && NR % 211 == 2 { print $1 }' "$T/gen/wages/1404-03.csv"); do
    # The entries' ids and dates differ (each import its own order and
    # day); the totals must not.
    tot() { "$AM" --db "$1" employer statement "$w" --json | sed 's/,"entries".*//'; }
    [ "$(tot "$T/alone.db")" = "$(tot "pg:$P")" ] || fail "statement of $w differs"
done
"$AM" --db "pg:$P" import wages "$T/gen/wages" >"$T/again.out"
grep -q "(0 new, $lists already there" "$T/again.out" || { cat "$T/again.out" >&2; fail "a third import found something new"; }
echo "concurrent: two importers at once posted each of $lists lists once"
