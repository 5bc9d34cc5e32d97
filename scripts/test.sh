#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
#   lint -> Rasa data validation -> model (trained only if data changed) -> knowledge base and
#   ranker (fitted only if its questions changed) -> test stories -> pytest
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh" "$ROOT/requirements-dev.txt"
cd "$ROOT"
if [ -f scripts/install_browser.sh ]; then bash scripts/install_browser.sh; fi
if [ -f scripts/install_fonts.sh ]; then bash scripts/install_fonts.sh; fi

log "Lint (ruff)"
"$VENV/bin/ruff" check .

log "Validating training data and domain"
"$VENV/bin/rasa" data validate --fail-on-warnings --domain domain.yml \
  --data data/nlu data/stories data/rules

RASA_MODEL="$(ensure_model)"
export RASA_MODEL

log "Knowledge base and the search's learned ranker (as scripts/run.sh builds them)"
bash scripts/build_knowledge.sh

log "Dialogue test stories (tests/test_stories.yml)"
rm -rf var/test-results
"$VENV/bin/rasa" test core --model "$RASA_MODEL" --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out var/test-results --no-plot \
  || die "Some test stories failed; see var/test-results/failed_test_stories.yml"

log "pytest"
"$VENV/bin/python" -m pytest tests "$@"
