#!/usr/bin/env bash
# Set up a virtual environment (.venv) with postprod, then run the demo
# production into ./demo-output (or the folder given). Needs only Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/postprod demo -o "${1:-demo-output}"
