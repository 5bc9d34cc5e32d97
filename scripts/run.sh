#!/usr/bin/env bash
# One command from a fresh clone to a running assistant:
#   venv + packages -> model (trained only when data/config/domain changed) -> knowledge base
#   -> action server (:5055) -> Rasa server (:5005, REST + socket.io, HTTP API enabled).
# Safe defaults (docs/security.md): every server listens on 127.0.0.1 only (RASA_HOST,
# ACTIONS_HOST, ADMIN_HOST to change; put a TLS reverse proxy in front), the API token never
# appears on a command line, CORS only for RASA_CORS_ORIGINS, and files under var/ are 0600.
source "$(dirname "$0")/lib.sh"
umask 077  # databases, keys and logs under var/ readable by this user only
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
MODEL="$(ensure_model)"

RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
RASA_HOST="${RASA_HOST:-127.0.0.1}"
ACTIONS_HOST="${ACTIONS_HOST:-127.0.0.1}"
ADMIN_HOST="${ADMIN_HOST:-127.0.0.1}"
mkdir -p var && chmod 700 var && find var -maxdepth 1 -type f -exec chmod 600 {} +
for port in "$RASA_PORT" "$ACTIONS_PORT" "${ADMIN_PORT:-8081}"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    die "Port $port is already in use (is the assistant already running?). Stop it or set RASA_PORT / ACTIONS_PORT."
  fi
done

pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -f "$ROOT/scripts/build_knowledge.sh" ]; then bash "$ROOT/scripts/build_knowledge.sh"; fi

log "Starting the action server on port $ACTIONS_PORT (log: var/actions.log)"
# The action server has no authentication: it must stay on the loopback interface.
SANIC_HOST="$ACTIONS_HOST" "$VENV/bin/rasa" run actions --actions actions --port "$ACTIONS_PORT" \
  > var/actions.log 2>&1 &
pids+=($!)
# The HTTP API can replace the model and rewrite conversations: it needs a token, which only the
# admin console gets. Chat channels (webhooks, socket.io) do not use it.
TOKEN_FILE="$ROOT/var/rasa-api-token"
[ -s "$TOKEN_FILE" ] || (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$TOKEN_FILE")
# RASA_TOKEN (environment) wins over the file; either way it reaches Rasa and the console through
# the environment, never argv (bot/rasa_server.py).
[ -n "${RASA_TOKEN:-}" ] || export RASA_TOKEN_FILE="$TOKEN_FILE"
# Cross-origin browser access to Rasa's HTTP routes only for the listed origins (space-separated);
# the chat page and widget talk to the server they come from and need none.
cors=()
[ -z "${RASA_CORS_ORIGINS:-}" ] || read -r -a cors <<< "--cors $RASA_CORS_ORIGINS"
log "Starting the Rasa server on $RASA_HOST:$RASA_PORT (log: var/rasa.log)"
"$PY" -m bot.rasa_server --model "$MODEL" --enable-api --interface "$RASA_HOST" "${cors[@]}" \
  --port "$RASA_PORT" --credentials credentials.yml --endpoints endpoints.yml > var/rasa.log 2>&1 &
pids+=($!)
ADMIN_PORT="${ADMIN_PORT:-8081}"
log "Starting the admin console on $ADMIN_HOST:$ADMIN_PORT (log: var/admin.log)"
RASA_URL="http://127.0.0.1:$RASA_PORT" "$PY" -m bot admin serve --host "$ADMIN_HOST" \
  --port "$ADMIN_PORT" > var/admin.log 2>&1 &
pids+=($!)
wait_for_http "http://127.0.0.1:$ACTIONS_PORT/health" 120 || die "The action server did not start; see var/actions.log"
wait_for_http "http://127.0.0.1:$RASA_PORT/" 180 || die "The Rasa server did not start; see var/rasa.log"
wait_for_http "http://127.0.0.1:$ADMIN_PORT/login" 60 || die "The admin console did not start; see var/admin.log"

cat <<MSG

Trợ lý đã sẵn sàng / The assistant is running.
  • Trang chat / web chat:   http://127.0.0.1:$RASA_PORT/webhooks/web/chat
  • Embed on a website:      <script src="http://YOUR-HOST:$RASA_PORT/webhooks/web/static/widget.js"></script>
  • From a terminal:         curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"xin chào"}'
  • HTTP API:                http://127.0.0.1:$RASA_PORT/status?token=…  (token in var/rasa-api-token)
  • Admin console:           http://$ADMIN_HOST:$ADMIN_PORT  (first login admin / admin on 127.0.0.1 only; you must then change it)
Press Ctrl+C to stop.
MSG
# Open the chat page on a desktop session (a server without a display just prints the URL above).
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v xdg-open >/dev/null 2>&1; then
  xdg-open "http://127.0.0.1:$RASA_PORT/webhooks/web/chat" >/dev/null 2>&1 || true
fi
wait -n "${pids[@]}"
die "A server stopped unexpectedly; see var/rasa.log and var/actions.log"
