#!/usr/bin/env bash
# Restore a Loket backup (loket-backup.sh, pg_dump -Fc) into an EMPTY database, then check
# the audit log's hash chain and the schema revision with the server's own commands.
#
#   1. on the new cluster, the roles and the empty database: postgresql-setup.sql
#   2. installers/server/loket-restore.sh /var/backups/loket/loket-20260101T020000Z.dump
#
# Connection: libpq's environment for the new database, as the owner role (PGHOST, PGPORT,
# PGDATABASE, PGUSER=loket_owner, PGPASSFILE); LOKET_DATABASE the same database as a
# SQLAlchemy URL (postgresql+psycopg://loket_owner:...@host:port/loket) for
# `loket-server verify-audit`; LOKET_SERVER (default: loket-server on PATH).
# One transaction: a failure leaves the database as empty as it was.
set -euo pipefail

dump="${1:?usage: loket-restore.sh BACKUP.dump}"
server="${LOKET_SERVER:-loket-server}"
: "${LOKET_DATABASE:?set LOKET_DATABASE to the restored database (postgresql+psycopg://...)}"

tables="$(psql -X -A -t -v ON_ERROR_STOP=1 --no-password \
    -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
    echo "loket-restore.sh: the database is not empty ($tables tables); restore into a fresh one" >&2
    exit 1
fi

pg_restore --exit-on-error --single-transaction --no-password --dbname="${PGDATABASE:-loket}" "$dump"
"$server" verify-audit
# at the code's revision: nothing to do; an older backup: the newer code's steps, and the
# app role's privileges on what they add
"$server" migrate --grant-to "${LOKET_APP_ROLE:-loket_app}"
