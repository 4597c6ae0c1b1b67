# The set-up the PostgreSQL scenario tests share; sourced with NAME set
# (the test's name, for its messages and its temporary folder). Skips
# (exit 77) where PostgreSQL's server is not installed; gives SRC, AM (the
# amanat binary), CLUSTER (scripts/pg-cluster.sh), T (a temporary folder,
# mode 755 for the server's user, removed at exit with every cluster made
# in it) and fail().
SRC="${AMANAT_SOURCE_ROOT:?}"
AM="${AMANAT_BIN:?}"
CLUSTER="$SRC/scripts/pg-cluster.sh"
ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "no PostgreSQL server: skipped"; exit 77; }
unset AMANAT_DB AMANAT_READ_DB
export AMANAT_RULES="${AMANAT_RULES:-$SRC/rules/ir}" AMANAT_PROGRESS=0

T=$(mktemp -d "/tmp/amanat-$NAME-XXXXXX")
chmod 755 "$T"
pg_lib_cleanup() {
    local d
    for d in "$T"/*/; do
        [ -f "$d/.pg-cluster" ] && "$CLUSTER" remove "$d" >/dev/null 2>&1
    done
    rm -rf "$T"
}
trap pg_lib_cleanup EXIT
fail() { echo "$NAME test: $*" >&2; exit 1; }
