#!/bin/bash
# The PostgreSQL image's entry point: on the first start (PGDATA holds no cluster) it makes the cluster with the
# superuser POSTGRES_USER (default postgres) whose password is POSTGRES_PASSWORD_FILE's content (or
# POSTGRES_PASSWORD), password (SCRAM) logins from any address and trusted ones over the local socket, and the
# database POSTGRES_DB (default: the user's name). Then it runs the command, `postgres` listening on every address.
set -euo pipefail

fail() {
  echo "postgres-entrypoint: $*" >&2
  exit 1
}

initialise() {
  local password=${POSTGRES_PASSWORD:-}
  if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
    [[ -z $password ]] || fail "set POSTGRES_PASSWORD_FILE or POSTGRES_PASSWORD, not both"
    [[ -r $POSTGRES_PASSWORD_FILE ]] || fail "POSTGRES_PASSWORD_FILE names $POSTGRES_PASSWORD_FILE, which cannot be read"
    password=$(<"$POSTGRES_PASSWORD_FILE")
  fi
  [[ -n $password ]] || fail "no password: set POSTGRES_PASSWORD_FILE (or POSTGRES_PASSWORD); the database is reached over the network"
  local user=${POSTGRES_USER:-postgres}
  local db=${POSTGRES_DB:-$user}
  initdb --username="$user" --pwfile=<(printf '%s\n' "$password") --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [[ $db != postgres ]]; then
    pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
    psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" \
      <<<'CREATE DATABASE :"db";'
    pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
  fi
  echo "postgres-entrypoint: made the cluster in $PGDATA (user $user, database $db)"
}

if [[ ${1:-} == postgres ]]; then
  [[ -s $PGDATA/PG_VERSION ]] || initialise
  exec "$@" -c listen_addresses='*'
fi
exec "$@"
