#!/usr/bin/env bash
# Set up everything the assistant needs on a fresh machine: venv with Python 3.10 and packages.
source "$(dirname "$0")/lib.sh"
ensure_venv "$ROOT/requirements.txt" "$@"
mkdir -p "$ROOT/var" "$ROOT/models"
