#!/usr/bin/env bash
# Build the procedure knowledge base var/knowledge.db (called by scripts/run.sh at start-up).
#   - imports the national catalog (5,600 procedures) on the first run whenever its files are
#     present: $NATIONAL_DATA, default ../shared/data/national-procedures (catalog.csv + details/).
#     IMPORT_NATIONAL=1 re-imports (after a new snapshot), IMPORT_NATIONAL=0 never imports.
#     Idempotent, about 5 s, never overwrites curated entries or admin edits.
#   - loads the curated catalog data/catalog/*.yml (fast; unchanged entries are skipped).
# Override the database with KNOWLEDGE_DB=path.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DB="${KNOWLEDGE_DB:-$ROOT/var/knowledge.db}"
NATIONAL="${NATIONAL_DATA:-$ROOT/../shared/data/national-procedures}"
mkdir -p "$(dirname "$DB")"

national_count() {
  "$PY" - "$DB" <<'PY' 2>/dev/null || echo 0
import sqlite3, sys
try:
    print(sqlite3.connect(sys.argv[1]).execute(
        "SELECT COUNT(*) FROM procedures WHERE source = 'national'").fetchone()[0])
except sqlite3.Error:
    print(0)
PY
}

want="${IMPORT_NATIONAL:-auto}"
if [ "$want" = "auto" ]; then
  if [ "$(national_count)" = "0" ]; then want=1; else want=0; fi
fi
if [ "$want" = "1" ]; then
  if [ -f "$NATIONAL/catalog.csv" ]; then
    log "Importing the national procedure catalog from $NATIONAL"
    "$PY" -m bot catalog import --catalog "$NATIONAL/catalog.csv" --details "$NATIONAL/details" \
      --db "$DB" --no-progress
  else
    log "National data not found at $NATIONAL: the assistant answers only the curated \
procedures (data/catalog). See README, 'Procedure knowledge base', for where to get the files."
  fi
fi

if compgen -G "$ROOT/data/catalog/*.yml" >/dev/null; then
  log "Loading the curated catalog (data/catalog) into $DB"
  "$PY" -m bot catalog load-curated --db "$DB" --dir "$ROOT/data/catalog"
else
  log "No curated catalog in data/catalog yet; knowledge base left as is"
fi

# The semantic search's embeddings of the names, cached beside the database (minutes the first
# time, a second when nothing changed); only with SEMANTIC_SEARCH=1 (off by default, ADR 7).
if [ "${SEMANTIC_SEARCH:-0}" = "1" ]; then
  log "Embedding procedure names for the semantic search (cached in $DB.emb.npz)"
  "$PY" -m bot catalog embed --db "$DB"
fi

# The learned ranking of the search (bot/knowledge/ranker.py), fitted on the labelled questions
# over this knowledge base; skipped when the model was fitted on the same questions and catalog.
log "Learned ranker of the procedure search (models/ranker.json)"
"$PY" -m bot catalog train-ranker --db "$DB"
