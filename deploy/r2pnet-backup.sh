#!/bin/sh
# The nightly backup: the PostgreSQL database (pg_dump, custom format) and the attachment files,
# kept for $KEEP_DAYS days. Reads DATABASE_URL and INSTANCE_PATH from the environment, as the app.
set -eu
BACKUP_DIR=${BACKUP_DIR:-/var/backups/r2pnet}
KEEP_DAYS=${KEEP_DAYS:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
# pg_dump takes the URL without r2pnet's own pool options (?max_connections=...).
pg_dump --format=custom --no-owner --file="$BACKUP_DIR/r2pnet-$stamp.dump" "${DATABASE_URL%%\?*}"
if [ -d "$INSTANCE_PATH/attachments" ]; then
    tar -C "$INSTANCE_PATH" -czf "$BACKUP_DIR/attachments-$stamp.tar.gz" attachments
fi
find "$BACKUP_DIR" -name 'r2pnet-*.dump' -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR" -name 'attachments-*.tar.gz' -mtime +"$KEEP_DAYS" -delete
echo "backup $stamp written to $BACKUP_DIR"
