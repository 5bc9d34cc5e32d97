# Shared helpers for the project scripts. Source it; do not run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
# Quieter TensorFlow / Rasa start-up, no telemetry calls (there is no network anyway).
export TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mLỗi / Error:\033[0m %s\n' "$*" >&2; exit 1; }

# Rasa 3.6 runs on Python 3.10 only. Look for one: $PYTHON310, python3.10 on PATH, pyenv, system.
find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 \
      /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

require_python310() {
  find_python310 || die "Python 3.10 not found (Rasa 3.6 needs exactly 3.10). \
Tried \$PYTHON310, python3.10 on PATH, \$PYENV_ROOT or ~/.pyenv/versions/3.10*/bin/python3.10, \
/usr/local/bin/python3.10 and /usr/bin/python3.10. Install it (e.g. 'pyenv install 3.10') \
or set PYTHON310=/path/to/python3.10."
}

# Create .venv with Python 3.10 and install the requirement files given (only when they changed).
ensure_venv() {
  if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    local python
    python="$(require_python310)"
    log "Creating virtual environment with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip wheel "setuptools<70"
  fi
  # One stamp per set of files, so run.sh (runtime) and test.sh (runtime + dev) do not undo each
  # other's stamp and reinstall every time.
  local stamp wanted
  stamp="$VENV/.requirements-$(printf '%s ' "$@" | sha256sum | cut -c1-8).sha"
  wanted="$(cat "$@" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "Installing Python packages ($*) — the first time takes a few minutes"
    # constraints.txt pins every transitive package to versions known to work with Rasa 3.6.
    local args=(-c "$ROOT/constraints.txt")
    for f in "$@"; do args+=(-r "$f"); done
    "$PY" -m pip install --quiet --disable-pip-version-check "${args[@]}"
    echo "$wanted" > "$stamp"
  fi
}

# Fingerprint of everything the model is trained from.
# The normaliser (bot/nlu) spells out the abbreviations of data/vocabulary/abbreviations.yml (read
# by bot/vocabulary.py) in every training example.
model_fingerprint() {
  (cd "$ROOT" && find config.yml domain.yml data/nlu data/stories data/rules bot/nlu \
    bot/vocabulary.py data/vocabulary/abbreviations.yml -type f \
    \( -name '*.yml' -o -name '*.py' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
}

# Train only when data, config, domain or NLU code changed; prints the model path.
ensure_model() {
  local fingerprint model
  fingerprint="$(model_fingerprint)"
  model="$ROOT/models/model-$fingerprint.tar.gz"
  if [ ! -f "$model" ]; then
    log "Training data changed: training a new model (takes a few minutes on 2 cores)" >&2
    (cd "$ROOT" && "$VENV/bin/rasa" train --config config.yml --domain domain.yml \
        --data data/nlu data/stories data/rules --out models --fixed-model-name "model-$fingerprint" >&2) \
      || die "Training failed; see the messages above."
  else
    log "Model is up to date: $model" >&2
  fi
  echo "$model"
}

# Wait until an HTTP URL answers, or give up after $2 seconds.
wait_for_http() {
  local url="$1" seconds="${2:-120}" i
  for ((i = 0; i < seconds * 2; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}
