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
echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== mypy (typed core)"
.venv/bin/mypy
echo "== import-linter (layers of docs/ARCHITECTURE.md)"
.venv/bin/lint-imports
echo "== tests"
.venv/bin/python -m pytest -n 2 "$@"
