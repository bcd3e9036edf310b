#!/bin/bash
# The command of the migration Jobs: applies the service's pending migrations, then exits 0.
#
# The services have no migrate-only command: a service applies its migrations while it boots, before it reports
# live, under a PostgreSQL advisory lock (libs/database/src/migrations-on-start.ts). So this boots the service
# with DATABASE_MIGRATE_ON_START=true, waits until /health/live answers 200 (the health port answers 503 until
# the application has started, migrations included), and stops it with SIGTERM. A failed migration stops the boot:
# the service exits non-zero before it is live, and so does this Job. The Deployments run with
# DATABASE_MIGRATE_ON_START=false: they never change the schema.
set -u
node /app/main.js &
service=$!
trap 'kill -TERM "$service" 2>/dev/null' TERM
until bash /opt/runnerly/probe.sh live 2>/dev/null; do
  if ! kill -0 "$service" 2>/dev/null; then
    wait "$service"
    status=$?
    echo "migrate: the service exited with status $status before it was live" >&2
    exit $((status == 0 ? 1 : status))
  fi
  sleep 1
done
echo "migrate: the service is live, its migrations applied; stopping it" >&2
kill -TERM "$service"
wait "$service"
