#!/usr/bin/env bash
# The README's first command: set everything up, then run amanat's main job
# on the embedded SQLite default. For now the job creates a database, loads
# Iran's rules, prints the parameters in force and checks identifiers and
# dates; later it grows into the whole monthly cycle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export AMANAT_DB="${AMANAT_DB:-$PWD/amanat.db}"
amanat() { build/src/cli/amanat "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "amanat init: database $AMANAT_DB"
amanat init

step "rules check rules/ir"
amanat rules check rules/ir

step "parameters in force on 1404/07/01 (the rules cover 1401-1404)"
amanat rules show --on 1404/07/01

step "parameters in force today"
amanat rules show | tail -n 3

step "identity checks"
amanat id check national 0499370899
amanat id check national ۰۴۹۹۳۷۰۸۹۸ || true
amanat id check sheba IR820540102680020817909002
amanat --json date convert ۱۴۰۳/۱۲/۳۰
amanat date convert 2025-03-21

step "audit verify"
amanat audit verify
