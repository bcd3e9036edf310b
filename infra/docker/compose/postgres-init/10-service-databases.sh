#!/usr/bin/env bash
# PostgreSQL init script of docker-compose.yml (run once, on an empty data folder, by the image's entry point
# from /docker-entrypoint-initdb.d): one database and one least-privilege role per service, as
# provisionServiceDatabase (libs/dev-infra) does for `npm start` and the tests:
# - a LOGIN role with no other power (NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS);
# - its database, owned by it (so it owns the `public` schema and can run its migrations);
# - CONNECT and TEMPORARY revoked from PUBLIC, so no other role, another service's included, can even connect.
#
# The passwords arrive as SCRAM-SHA-256 verifiers (written by the `secrets-init` service): this container never
# holds a service's plain password. Idempotent: run it again to apply a changed password to an existing
# database:  docker compose exec postgres /docker-entrypoint-initdb.d/10-service-databases.sh
# No `set -u`: the entry point sources a script that is not executable (a checkout that lost the mode bit).
set -Eeo pipefail

SECRETS_DIR="${SERVICE_DATABASES_SECRETS_DIR:-/run/secrets/postgres}"

# SERVICE_DATABASES: the services that own a database, set by docker-compose.yml from the service manifest.
if [[ -z ${SERVICE_DATABASES:-} ]]; then
  echo "10-service-databases: SERVICE_DATABASES is not set (docker-compose.yml sets it)" >&2
  exit 1
fi
for service in $SERVICE_DATABASES; do
  verifier_file="$SECRETS_DIR/${service}_password.scram"
  if [[ ! -s $verifier_file ]]; then
    echo "10-service-databases: $verifier_file is missing or empty" >&2
    exit 1
  fi
  # Over the unix socket as the superuser. The verifier is read by psql itself (\set with backquotes), so it
  # is never on a command line; the names are quoted by psql (:"name" and :'name').
  psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    --set name="$service" --set verifier_file="$verifier_file" <<'SQL'
\set verifier `cat :'verifier_file'`
SELECT format('CREATE ROLE %I', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'verifier';
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'name') \gexec
ALTER DATABASE :"name" OWNER TO :"name";
REVOKE CONNECT, TEMPORARY ON DATABASE :"name" FROM PUBLIC;
SQL
  echo "10-service-databases: database and role \"$service\" ready"
done
