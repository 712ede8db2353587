#!/usr/bin/env bash
# Back up the Loket central database: one pg_dump custom-format archive (compressed, restored
# table by table with pg_restore), written under a temporary name, checked with
# `pg_restore --list`, then renamed: a file named loket-*.dump is always complete.
#
#   installers/server/loket-backup.sh /var/backups/loket
#
# Connection: libpq's environment, as the owner role (it reads every table), e.g.
#   PGHOST=db.internal PGPORT=5432 PGDATABASE=loket PGUSER=loket_owner
#   PGPASSFILE=/root/.pgpass (mode 0600: host:port:loket:loket_owner:PASSWORD)
# KEEP_DAYS=N (default 30): older archives in the folder are removed afterwards.
# Prints the archive's path. Run it from cron or a systemd timer; copy the archives off the
# machine. A dump holds personal data: the folder is created 0700, the archive 0600.
set -euo pipefail

dest="${1:?usage: loket-backup.sh BACKUP_FOLDER}"
keep_days="${KEEP_DAYS:-30}"
umask 077
mkdir -p "$dest"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$dest/loket-$stamp.dump"
partial="$dest/.loket-$stamp.dump.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-password --file="$partial"
pg_restore --list "$partial" >/dev/null        # a readable archive, with its table of contents
mv "$partial" "$final"
trap - EXIT

find "$dest" -maxdepth 1 -name 'loket-*.dump' -type f -mtime +"$keep_days" -delete
echo "$final"
