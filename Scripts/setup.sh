#!/usr/bin/env bash
# Installs what Persona needs and is not yet on this machine, then exits; quick when all is there.
#
#   Scripts/setup.sh run    what building and running `persona` needs: LAPACK, SQLite, pkg-config
#   Scripts/setup.sh test   that, plus the engines some tests run on: Chromium (report.html in a
#                           real browser), the sqlite3 shell and DuckDB for Python (export-sql)
#
# Debian or Ubuntu: missing packages are installed when run as root or with password-less sudo;
# otherwise the script prints the one line to run and, for what the build needs, stops. A test
# engine that cannot be had is only reported: outside CI (CI unset) its tests are skipped with
# the reason, under CI=true they fail. macOS: Accelerate provides LAPACK; nothing to install.
set -euo pipefail

purpose="${1:-test}"
case "$purpose" in
  run|test) ;;
  *) echo "usage: Scripts/setup.sh [run|test]" >&2; exit 2 ;;
esac

if [ "$(uname -s)" = "Darwin" ]; then
  exit 0
fi
if ! command -v dpkg-query >/dev/null; then
  echo "setup: not a Debian-based system; install LAPACK, SQLite and pkg-config yourself (see README.md)" >&2
  exit 0
fi

build_packages=(liblapack-dev libsqlite3-dev pkg-config)
test_packages=(chromium sqlite3 python3 python3-pip)

# The packages of "$@" that are not installed.
missing() {
  local package
  for package in "$@"; do
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]; then
      printf '%s\n' "$package"
    fi
  done
}

mapfile -t missing_build < <(missing "${build_packages[@]}")
missing_test=()
if [ "$purpose" = test ]; then
  mapfile -t missing_test < <(missing "${test_packages[@]}")
fi
wanted=("${missing_build[@]}" "${missing_test[@]}")

# How to run apt-get: as root, through password-less sudo, or not at all.
as_root=()
can_install=yes
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    can_install=no
  fi
fi

if [ "${#wanted[@]}" -gt 0 ]; then
  if [ "$can_install" = yes ]; then
    echo "setup: installing ${wanted[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # A mirror hiccup gets two more tries.
    for attempt in 1 2 3; do
      if "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq "${wanted[@]}" >/dev/null; then
        break
      fi
      if [ "$attempt" = 3 ]; then
        echo "setup: could not install ${wanted[*]}" >&2
        exit 1
      fi
      sleep 10
    done
  elif [ "${#missing_build[@]}" -gt 0 ]; then
    echo "setup: Persona needs ${wanted[*]}; run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${wanted[*]}" >&2
    exit 1
  else
    echo "setup: the tests that use ${missing_test[*]} will be skipped; to run them:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing_test[*]}" >&2
  fi
fi

# DuckDB for Python, for the export-sql engine test. Debian's Python needs
# --break-system-packages for a user install.
if [ "$purpose" = test ] && command -v python3 >/dev/null && ! python3 -c "import duckdb" 2>/dev/null; then
  if python3 -m pip --version >/dev/null 2>&1; then
    echo "setup: installing the Python module duckdb for this user" >&2
    export PIP_ROOT_USER_ACTION=ignore
    python3 -m pip install -q --user --break-system-packages duckdb \
      || python3 -m pip install -q --user duckdb \
      || echo "setup: could not install duckdb; the DuckDB test will be skipped (CI=true: fail)" >&2
  else
    echo "setup: pip is missing, so the DuckDB test will be skipped; run: sudo apt-get install -y python3-pip" >&2
  fi
fi
