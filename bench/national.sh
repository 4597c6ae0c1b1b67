#!/usr/bin/env bash
# The national month: 17 million insured (1.4 million workshops, 40 million
# persons in the registry), one month of wage lists, imported end to end by
# bench_import beside the bare-insert floor.
#
# The registry is loaded by SQL from the generator's CSV files, sorted by
# key, into a database made by "amanat init" (names, sex, workshops' terms;
# birth dates and nationalities left out, which the wage import does not
# read): "import registry" at this size is measured on its own
# (bench/README.md), and the point here is the wage import against a
# registry of the national size.
#   bench/national.sh [WORKDIR]     (needs about 25 GB free)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-$(mktemp -d /tmp/amanat-national-XXXXXX)}"
INSURED="${INSURED:-17000000}"
[ -x build/bench/bench_import ] || scripts/setup.sh
A="$PWD/build/src/cli/amanat"
mkdir -p "$WORK"
cd "$WORK"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB; $(uname -sr)"
if [ ! -f g/wages/1404-01.csv ]; then
    /usr/bin/time -f "generate: %e s, peak %M KB" \
        "$A" generate --insured "$INSURED" --months 1 --start 1404/01 g
fi
if [ ! -f reg.db ]; then
    rm -f reg.db-wal reg.db-shm
    "$A" --db reg.db init >/dev/null
    /usr/bin/time -f "registry by SQL: %e s, peak %M KB" sqlite3 reg.db <<'SQL'
.mode csv
.import g/registry/employers.csv st_emp
.import g/registry/workshops.csv st_ws
.import g/registry/persons.csv st_p
.mode list
BEGIN;
INSERT INTO employers (id, kind, name, created_at, updated_at)
  SELECT id, kind, name, 0, 0 FROM st_emp ORDER BY id;
INSERT INTO workshops (code, name, employer_id, address, province, branch,
    activity, scheme, hard_harmful, small_exempt, created_at, updated_at)
  SELECT code, name, nullif(employer_id, ''), address, province, branch,
    activity, scheme, CAST(hard_harmful AS INTEGER),
    CAST(small_exempt AS INTEGER), 0, 0 FROM st_ws ORDER BY code;
INSERT INTO persons (national_code, first_name, last_name, father_name, sex,
    insurance_no, created_at, updated_at)
  SELECT national_code, first_name, last_name, nullif(father_name, ''), sex,
    nullif(insurance_no, ''), 0, 0 FROM st_p ORDER BY national_code;
-- The codes the posting reads, which the store's own inserts keep
-- (docs/storage.md, "Pages"): an insert by SQL adds them itself.
INSERT INTO workshop_keys SELECT code FROM workshops ORDER BY code;
INSERT INTO person_codes SELECT CAST(national_code AS INTEGER) FROM persons
  ORDER BY national_code;
DROP TABLE st_emp;
DROP TABLE st_ws;
DROP TABLE st_p;
COMMIT;
-- The staging tables leave 4 GB of free pages, which the import would
-- fill instead of growing the file: a registry as the store keeps it has
-- none.
VACUUM;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
fi
"$OLDPWD/build/bench/bench_import" "$OLDPWD/rules/ir" reg.db \
    g/wages/1404-01.csv "$WORK"
