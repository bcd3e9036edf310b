#!/usr/bin/env bash
# Entry point with the official postgres image's contract (docker-library/postgres), for Debian's packages:
# - POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#   POSTGRES_DB (default: the user), POSTGRES_INITDB_ARGS, each also readable from a file via NAME_FILE;
# - on an empty PGDATA only: initdb, then a temporary server on the unix socket only (listen_addresses=''),
#   POSTGRES_DB created, /docker-entrypoint-initdb.d/*.sh sourced (or run when executable), *.sql and *.sql.gz
#   run with psql, and the temporary server stopped;
# - then `exec postgres "$@"` as user postgres, listening on every interface, with scram-sha-256 for host
#   connections (initdb's trust stays for the local socket and loopback, as in the official image).
# No `set -u`: init scripts are sourced into this shell and the official image does not impose it on them.
set -Eeo pipefail

# file_env NAME [DEFAULT]: NAME from the environment, or from the file named by NAME_FILE (Docker secrets).
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-}
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  local value=$default
  if [[ -n ${!var:-} ]]; then
    value=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    value="$(<"${!file_var}")"
  fi
  export "$var"="$value"
  unset "$file_var"
}

docker_setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  DATABASE_ALREADY_EXISTS=
  if [[ -s $PGDATA/PG_VERSION ]]; then
    DATABASE_ALREADY_EXISTS=true
  fi
}

docker_create_db_directories() {
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 00700 "$PGDATA" || :
  chmod 03775 /var/run/postgresql || :
  if [[ $(id -u) == 0 ]]; then
    find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres: '{}' +
  fi
}

docker_verify_minimum_env() {
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    printf >&2 '%s\n' \
      'Error: Database is uninitialized and superuser password is not specified.' \
      '       You must specify POSTGRES_PASSWORD to a non-empty value for the' \
      '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".' \
      '' \
      '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all' \
      '       connections without a password. This is *not* recommended.'
    exit 1
  fi
  if [[ $POSTGRES_HOST_AUTH_METHOD == trust ]]; then
    echo >&2 'WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every connection is allowed without a password.'
  fi
}

docker_init_database_dir() {
  # eval: POSTGRES_INITDB_ARGS is a string of several arguments, as in the official image.
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
}

pg_setup_hba_conf() {
  [[ ${1:-} == postgres ]] && shift
  # Default: the method matching password_encryption (scram-sha-256), so the superuser's password hash works.
  : "${POSTGRES_HOST_AUTH_METHOD:=$(postgres -C password_encryption "$@")}"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
}

docker_process_sql() {
  local runner=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  [[ -n $POSTGRES_DB ]] && runner+=(--dbname "$POSTGRES_DB")
  PGHOST='' PGHOSTADDR='' "${runner[@]}" "$@"
}

docker_setup_db() {
  # POSTGRES_DB='': connect to the "postgres" database, since POSTGRES_DB does not exist yet.
  local db=$POSTGRES_DB exists
  exists="$(POSTGRES_DB='' docker_process_sql --dbname postgres --set db="$db" --tuples-only \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'db' ;")"
  if [[ -z $exists ]]; then
    POSTGRES_DB='' docker_process_sql --dbname postgres --set db="$db" <<<'CREATE DATABASE :"db" ;'
    echo
  fi
}

docker_process_init_files() {
  echo
  local f
  for f; do
    case "$f" in
      *.sh)
        if [[ -x $f ]]; then
          echo "$0: running $f"
          "$f"
        else
          echo "$0: sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql)
        echo "$0: running $f"
        docker_process_sql -f "$f"
        echo
        ;;
      *.sql.gz)
        echo "$0: running $f"
        gunzip -c "$f" | docker_process_sql
        echo
        ;;
      *) echo "$0: ignoring $f" ;;
    esac
    echo
  done
}

# Unix socket only: nothing can connect over TCP, and healthchecks keep failing, until initialisation is over.
docker_temp_server_start() {
  [[ ${1:-} == postgres ]] && shift
  set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
}

docker_temp_server_stop() {
  PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

wants_help() {
  local arg
  for arg; do
    case "$arg" in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
  done
  return 1
}

main() {
  # `IMAGE -c fsync=off` means `postgres -c fsync=off`.
  if [[ ${1:0:1} == - ]]; then
    set -- postgres "$@"
  fi

  if [[ $1 == postgres ]] && ! wants_help "$@"; then
    docker_setup_env
    docker_create_db_directories
    if [[ $(id -u) == 0 ]]; then
      # Started as root to fix the ownership of mounted volumes; the server itself never runs as root.
      export HOME=/var/lib/postgresql
      exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi

    if [[ -z $DATABASE_ALREADY_EXISTS ]]; then
      docker_verify_minimum_env
      # Fails early (with a clear message) when the folder is not readable, e.g. a wrong SELinux label.
      ls /docker-entrypoint-initdb.d/ >/dev/null
      docker_init_database_dir
      pg_setup_hba_conf "$@"
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      docker_temp_server_start "$@"
      docker_setup_db
      docker_process_init_files /docker-entrypoint-initdb.d/*
      docker_temp_server_stop
      unset PGPASSWORD
      echo
      echo 'PostgreSQL init process complete; ready for start up.'
      echo
    else
      echo
      echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
      echo
    fi
  fi

  exec "$@"
}

main "$@"
