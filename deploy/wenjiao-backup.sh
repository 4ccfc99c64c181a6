#!/bin/sh
# Back up wenjiao's database into a folder and drop copies older than KEEP_DAYS days
# (docs/operations.md, "Backup and restore"). Run as the service user, by hand or from
# deploy/wenjiao-backup.timer:
#
#   runuser -u wenjiao -- /opt/wenjiao/deploy/wenjiao-backup.sh /var/backups/wenjiao
#
# SQLite (the default): `wenjiao backup`, SQLite's online backup API, fine while the server runs;
#   one file wenjiao-<time>.db, restored with `wenjiao restore FILE`.
# PostgreSQL: pg_dump --format=custom, consistent while the server runs; one file
#   wenjiao-<time>.dump, restored with pg_restore. pg_dump connects as the server does
#   (deploy/wenjiao-pg.sh, next to this script); it must be of the server's major version or
#   newer.
#
# ENV_FILE, VENV and KEEP_DAYS override the defaults below. Each copy is written under a
# temporary name and renamed when complete, so a copy with the final name is a whole one.
set -eu
ENV_FILE=${ENV_FILE:-/etc/wenjiao/wenjiao.env}
VENV=${VENV:-/opt/wenjiao/.venv}
KEEP_DAYS=${KEEP_DAYS:-14}
DEST=${1:-/var/backups/wenjiao}

umask 027  # the copies hold the exchanges (redacted) and the accounts' password hashes
set -a
. "$ENV_FILE"
set +a
mkdir -p "$DEST"
stamp=$(date +%Y%m%dT%H%M%S)
target=""
trap '[ -z "$target" ] || rm -f "$target.part"' EXIT  # a failed copy leaves nothing

case "${WENJIAO_DATABASE_URL:-sqlite}" in
    postgresql*|postgres*)
        target="$DEST/wenjiao-$stamp.dump"
        ENV_FILE="$ENV_FILE" VENV="$VENV" "$(dirname "$0")/wenjiao-pg.sh" \
            pg_dump --format=custom --file="$target.part"
        pattern='wenjiao-*.dump'
        ;;
    *)
        target="$DEST/wenjiao-$stamp.db"
        "$VENV/bin/wenjiao" backup "$target.part" >/dev/null
        pattern='wenjiao-*.db'
        ;;
esac
mv "$target.part" "$target"
find "$DEST" -maxdepth 1 -name "$pattern" -type f -mtime +"$KEEP_DAYS" -delete
echo "wenjiao-backup: wrote $target ($(wc -c < "$target") bytes); kept $KEEP_DAYS days of copies in $DEST"
