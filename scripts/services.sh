#!/usr/bin/env bash
# PostgreSQL (tracker store) and Redis (lock store) for deployments with several Rasa processes.
# Installs Debian's packages on first use and runs both on 127.0.0.1 only.
#   bash scripts/services.sh start | stop | status
source "$(dirname "$0")/lib.sh"
PG_PASSWORD="${POSTGRES_PASSWORD:-rasa-local-only}"

install_packages() {
  local missing=()
  # the server binary, not pg_ctlcluster: postgresql-common also comes with the client alone
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing ${missing[*]} (Debian packages)"
  [ "$(id -u)" = 0 ] || die "Installing ${missing[*]} needs root (sudo bash scripts/services.sh start)."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

start() {
  install_packages
  local version
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='rasa'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE rasa LOGIN PASSWORD '$PG_PASSWORD'\""
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='rasa'\"" | grep -q 1 \
    || su postgres -c "createdb -O rasa rasa"
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 \
    || redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" >/dev/null
  log "PostgreSQL (db rasa, user rasa) on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 are running."
}

stop() {
  redis-cli -h 127.0.0.1 shutdown nosave >/dev/null 2>&1 || true
  local version
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
  [ -z "$version" ] || pg_ctlcluster "$version" main stop 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) pg_isready -h 127.0.0.1 && redis-cli -h 127.0.0.1 ping ;;
  *) die "usage: bash scripts/services.sh start|stop|status" ;;
esac
