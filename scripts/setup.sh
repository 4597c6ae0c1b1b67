#!/usr/bin/env bash
# Set up everything amanat needs on Debian 12 and build it: the Debian
# packages (with sudo when not root), the npm packages when the portal has
# any, and the developer build in build/. Safe to run again: it installs
# only what is missing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every Debian package the project uses, to build, test, lint and fuzz.
PACKAGES=(
    build-essential pkg-config meson ninja-build python3
    libsqlite3-dev sqlite3 libicu-dev libfyaml-dev libsodium-dev libshp-dev
    libcmocka-dev libjansson-dev
    clang libclang-rt-14-dev clang-format clang-tidy cppcheck
    time
    # The PostgreSQL backend and its tests (scripts/pg-cluster.sh).
    postgresql libpq-dev
)

say() { printf '==> %s\n' "$*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    say "Debian packages: all present"
fi

if [ -f package.json ]; then
    command -v npm >/dev/null || { echo "setup: npm is needed for the portal's packages" >&2; exit 1; }
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
        say "installing npm packages"
        npm ci --no-audit --no-fund --loglevel=error
    fi
fi

if [ ! -f build/build.ninja ]; then
    say "configuring build/"
    meson setup build --buildtype=debugoptimized >/dev/null
fi
say "building"
ninja -C build >/dev/null
ln -sf build/compile_commands.json compile_commands.json
say "built build/src/cli/amanat"
