#!/usr/bin/env bash
# The README's second command and what CI runs (.ci/run): set everything up,
# then run the whole suite: formatting, the error-table docs, the unit and
# golden tests in the developer build, the same under ASan and UBSan, the
# fuzz corpora (replayed in both), the store, app and CLI tests again on a
# throwaway PostgreSQL cluster, a short libFuzzer run of every target,
# clang-tidy and cppcheck. Ends with one line "N passed, N failed".
#
# FUZZ_SECONDS (default 10) is each fuzz target's run; 0 skips fuzzing.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
passed=0
failed=0
failures=()
# Test programs counted inside the meson steps (each step counts once more).
programs_ok=0
programs_failed=0

step() {
    local name="$1"; shift
    local before=$programs_failed counted=no
    # A meson step's programs are counted one by one, not the step.
    case "$1" in meson_tests | pg_conformance) counted=yes ;; esac
    printf '\n==> %s\n' "$name"
    if "$@"; then
        printf -- '--- ok: %s\n' "$name"
        [ "$counted" = yes ] || passed=$((passed + 1))
    else
        printf -- '--- FAILED: %s\n' "$name"
        failures+=("$name")
        if [ "$counted" = no ] || [ "$programs_failed" = "$before" ]; then
            failed=$((failed + 1))
        fi
    fi
}

c_files() {
    git ls-files -- '*.c' '*.h' 2>/dev/null || find src include tests fuzz -name '*.[ch]'
}

check_format() {
    local bad=0
    # shellcheck disable=SC2046
    clang-format --dry-run --Werror $(c_files) || bad=1
    return $bad
}

check_errors_doc() {
    ninja -C build errors.md >/dev/null &&
        diff -u docs/errors.md build/errors.md ||
        { echo "docs/errors.md is stale: cp build/errors.md docs/errors.md"; return 1; }
}

check_layers() {
    python3 scripts/check-layers.py --self-test &&
        python3 scripts/check-layers.py
}

# A throwaway PostgreSQL cluster on loopback, a standby and a crash: what
# the PostgreSQL backend's tests will stand on.
pg_cluster_selftest() {
    scripts/pg-cluster.sh self-test
}

# Count meson's results (a test is one program: a suite of cmocka cases).
# The log is testlog.json, or NAME.json after --logbase NAME.
meson_tests() {
    local dir="$1" base=testlog prev=""
    local a
    for a in "${@:2}"; do
        [ "$prev" = --logbase ] && base="$a"
        prev="$a"
    done
    local log="$dir/meson-logs/$base.json"
    rm -f "$log"
    meson test -C "$dir" --print-errorlogs --num-processes 2 "${@:2}"
    local rc=$?
    if [ -f "$log" ]; then
        local ok fail
        ok=$(grep -c '"result": "OK"' "$log" || true)
        fail=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
        echo "$dir: $ok test programs passed, $fail failed"
        programs_ok=$((programs_ok + ok))
        programs_failed=$((programs_failed + fail))
    fi
    return $rc
}

# The store, app and CLI tests again, on PostgreSQL: a throwaway cluster on
# loopback (scripts/pg-cluster.sh), a schema per test database
# (tests/testdb.h). The crash test stops and restarts the server, which
# would break the tests beside it, so it runs after them, alone. The
# cluster is removed when the step ends and, should the script be
# stopped, at its exit.
PG_TMP=""
pg_remove() {
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        scripts/pg-cluster.sh remove "$PG_TMP/cluster" || true
        rm -rf "$PG_TMP"
    fi
    PG_TMP=""
}

pg_conformance() {
    local rc=0 uri
    PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/amanat-pg.XXXXXX") || return 1
    # As root (CI) the server runs as postgres, which must reach it.
    chmod 755 "$PG_TMP"
    if ! uri=$(scripts/pg-cluster.sh start "$PG_TMP/cluster"); then
        pg_remove
        return 1
    fi
    echo "cluster $uri in $PG_TMP/cluster"
    local -x AMANAT_TEST_PG="$uri" AMANAT_TEST_PG_DIR="$PG_TMP/cluster"
    meson_tests build --suite store --suite app --suite cli \
        --no-suite crash --logbase pg || rc=1
    meson_tests build --suite crash --logbase pg-crash || rc=1
    pg_remove
    return $rc
}

asan_setup() {
    if [ ! -f build-asan/build.ninja ]; then
        meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
            --buildtype=debug >/dev/null || return 1
    fi
    ninja -C build-asan >/dev/null
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

fuzz_run() {
    if [ "$FUZZ_SECONDS" = 0 ]; then
        echo "fuzzing skipped (FUZZ_SECONDS=0)"
        return 0
    fi
    if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false \
            -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug \
            >/dev/null || return 1
    fi
    ninja -C build-fuzz >/dev/null || return 1
    local rc=0 t work
    for t in build-fuzz/fuzz/fuzz_*; do
        [ -f "$t" ] && [ -x "$t" ] || continue
        local name="${t##*/fuzz_}"
        work=$(mktemp -d)
        echo "fuzzing $name for ${FUZZ_SECONDS}s"
        if ! "$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=0 -artifact_prefix="$work/" \
            "$work" "fuzz/corpus/$name" >"$work/log" 2>&1; then
            tail -n 40 "$work/log"
            echo "fuzz target $name failed; the input is in $work"
            rc=1
            continue
        fi
        rm -rf "$work"
    done
    return $rc
}

tidy() {
    # shellcheck disable=SC2046
    clang-tidy -p build --quiet --extra-arg=-Wno-unknown-warning-option $(git ls-files 'src/*.c') 2>&1 |
        grep -v -E '^[0-9]+ warnings? generated' | tee /tmp/amanat-tidy.log
    ! grep -q -E 'warning:|error:' /tmp/amanat-tidy.log
}

cppcheck_run() {
    cppcheck --quiet --error-exitcode=1 --inline-suppr \
        --enable=warning,performance,portability \
        --suppress=missingIncludeSystem --std=c11 \
        -I include -I src -I build/include -D__GNUC__ \
        src
}

step "format (clang-format)" check_format
step "error table docs" check_errors_doc
step "layers (include direction)" check_layers
step "postgresql cluster (loopback)" pg_cluster_selftest
step "unit, golden and fuzz-replay tests" meson_tests build
step "sanitizer build (ASan+UBSan)" asan_setup
step "tests under ASan and UBSan" meson_tests build-asan
trap pg_remove EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
step "PostgreSQL conformance (store, app, cli)" pg_conformance
step "libFuzzer run of every target" fuzz_run
step "clang-tidy" tidy
step "cppcheck" cppcheck_run

echo
if ((${#failures[@]})); then
    printf 'failed steps:\n'
    printf '  %s\n' "${failures[@]}"
fi
# The closing line CI reads: every test program of both builds, and every
# other step (format, docs, fuzzing, clang-tidy, cppcheck) as one test each.
total_failed=$((programs_failed + failed))
echo "$((programs_ok + passed)) passed, $total_failed failed"
((total_failed == 0))
