#!/usr/bin/env bash
# Set up a virtual environment (.venv) with postprod and its test tools, then run
# every check CI runs: ruff (lint and format), mypy on the typed core, the
# import-linter layers contract, and the test suite. Needs only Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# The browser tests drive Debian's Chromium through Playwright (tests/test_console_browser.py;
# Playwright's own browser download is never used) and Debian's Firefox ESR over WebDriver
# BiDi (tests/test_console_firefox.py). Without the browser on PATH they skip, saying why;
# as root with apt-get, install what is missing.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || missing="$missing firefox-esr"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing$missing (Debian) for the browser tests"
  # shellcheck disable=SC2086 # one word per package
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; }; then
    echo "warning: could not install$missing: its browser tests will skip" >&2
  fi
fi
echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== mypy (typed core)"
.venv/bin/mypy
echo "== import-linter (layers of docs/ARCHITECTURE.md)"
.venv/bin/lint-imports
echo "== tests"
# the long fault-injection cases (tests/robustness, marker "long": kills, interrupts, full disk)
export POSTPROD_LONG_TESTS="${POSTPROD_LONG_TESTS:-1}"
.venv/bin/python -m pytest -n 2 "$@"
