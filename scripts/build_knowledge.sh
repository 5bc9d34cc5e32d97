#!/usr/bin/env bash
# Build the procedure knowledge base var/knowledge.db (called by scripts/run.sh at start-up).
#   - loads the curated catalog data/catalog/*.yml (fast; unchanged entries are skipped);
#   - with IMPORT_NATIONAL=1 and ../shared/data/national-procedures present (or NATIONAL_DATA=DIR),
#     also imports the national catalog (about 5 s; idempotent, never overwrites curated/admin).
# Override the database with KNOWLEDGE_DB=path.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DB="${KNOWLEDGE_DB:-$ROOT/var/knowledge.db}"
NATIONAL="${NATIONAL_DATA:-$ROOT/../shared/data/national-procedures}"
mkdir -p "$(dirname "$DB")"

if [ "${IMPORT_NATIONAL:-0}" = "1" ]; then
  if [ -f "$NATIONAL/catalog.csv" ]; then
    log "Importing the national procedure catalog from $NATIONAL"
    "$PY" -m bot catalog import --catalog "$NATIONAL/catalog.csv" --details "$NATIONAL/details" \
      --db "$DB" --no-progress
  else
    log "IMPORT_NATIONAL=1 but $NATIONAL/catalog.csv is missing; skipping the national import"
  fi
fi

if compgen -G "$ROOT/data/catalog/*.yml" >/dev/null; then
  log "Loading the curated catalog (data/catalog) into $DB"
  "$PY" -m bot catalog load-curated --db "$DB" --dir "$ROOT/data/catalog"
else
  log "No curated catalog in data/catalog yet; knowledge base left as is"
fi
