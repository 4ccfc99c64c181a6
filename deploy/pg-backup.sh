#!/bin/sh
# The `backup` service of docker-compose.yml: pg_dump --format=custom of wenjiao's PostgreSQL
# database every BACKUP_INTERVAL seconds into BACKUP_DIR (the `pgbackups` volume), keeping the
# newest BACKUP_KEEP dumps. Restoring one: docs/operations.md, "Backup and restore", "Docker
# Compose".
#
#   pg-backup.sh          dump now, then again every BACKUP_INTERVAL seconds (the service)
#   pg-backup.sh check    exit 0 if the newest dump is younger than 2 intervals (its healthcheck)
#
# The connection comes from libpq's own variables (PGHOST, PGPORT, PGUSER, PGDATABASE,
# PGPASSWORD), so the password is never on a command line that `ps` shows.
#
#   BACKUP_DIR       where the dumps go (default /backups)
#   BACKUP_INTERVAL  seconds from the end of one dump to the start of the next (default 86400)
#   BACKUP_KEEP      how many scheduled dumps to keep (default 14); other files are left alone
#   BACKUP_RETRY     seconds before trying again after a failed dump (default 300, at most
#                    BACKUP_INTERVAL), so a database that was briefly down costs no whole day
#   BACKUP_RUNS      stop after this many attempts; 0, the default, runs until stopped. The exit
#                    status is then 1 if any attempt failed (the tests use it; so can a cron job)
#
# A dump is written to a hidden .part file, checked with pg_restore --list and only then renamed
# to wenjiao-<UTC time>.dump: a file with that name is always a whole, readable dump. A .part
# left by a container killed mid-dump is removed at the next start, so run one copy per folder.
set -eu
BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_INTERVAL=${BACKUP_INTERVAL:-86400}
BACKUP_KEEP=${BACKUP_KEEP:-14}
BACKUP_RETRY=${BACKUP_RETRY:-300}
BACKUP_RUNS=${BACKUP_RUNS:-0}
PATTERN='wenjiao-[0-9]*T[0-9]*Z.dump'  # the scheduled dumps; sorted by name is sorted by time

say() { echo "pg-backup: $*"; }
fail() { echo "pg-backup: $*" >&2; }

whole() {  # whole NAME VALUE MIN: a bad setting stops the service at once, with the reason
    case $2 in
        '' | *[!0-9]*) fail "$1 must be a whole number, not '$2'"; exit 2 ;;
    esac
    if [ "$2" -lt "$3" ]; then fail "$1 must be at least $3, not $2"; exit 2; fi
}
whole BACKUP_INTERVAL "$BACKUP_INTERVAL" 1
whole BACKUP_KEEP "$BACKUP_KEEP" 1
whole BACKUP_RETRY "$BACKUP_RETRY" 1
whole BACKUP_RUNS "$BACKUP_RUNS" 0
[ "$BACKUP_RETRY" -le "$BACKUP_INTERVAL" ] || BACKUP_RETRY=$BACKUP_INTERVAL

newest() {  # the newest scheduled dump, or nothing
    last=""
    for f in "$BACKUP_DIR"/$PATTERN; do
        [ -e "$f" ] && last=$f
    done
    echo "$last"
}

if [ "${1:-}" = check ]; then
    dump=$(newest)
    if [ -z "$dump" ]; then fail "no dump in $BACKUP_DIR yet"; exit 1; fi
    age=$(($(date +%s) - $(stat -c %Y "$dump")))
    if [ "$age" -ge $((2 * BACKUP_INTERVAL)) ]; then
        fail "the newest dump, $dump, is $age s old (interval $BACKUP_INTERVAL s)"
        exit 1
    fi
    say "the newest dump, $dump, is $age s old"
    exit 0
fi

# A stop (docker compose stop: SIGTERM to this shell, the container's PID 1) must not wait for a
# day-long sleep, nor leave a half-written dump behind. Children run in the background and are
# waited for, because a shell runs its traps only between commands, and `wait` is one it leaves.
child=""
stop() {
    if [ -n "$child" ]; then
        kill "$child" 2>/dev/null || :
        wait "$child" 2>/dev/null || :
    fi
    rm -f "$BACKUP_DIR"/.wenjiao-*.dump.part
    say "stopped"
    exit 0
}
trap stop TERM INT

run() {  # run COMMAND...: in the background, interruptible; its exit status
    "$@" &
    child=$!
    status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}

prune() {  # delete all but the newest BACKUP_KEEP scheduled dumps
    # $PATTERN unquoted: it is a glob, expanded to the dumps in name (time) order.
    # shellcheck disable=SC2086
    set -- "$BACKUP_DIR"/$PATTERN
    [ -e "$1" ] || return 0
    extra=$(($# - BACKUP_KEEP))
    while [ "$extra" -gt 0 ]; do
        rm -f "$1"
        shift
        extra=$((extra - 1))
    done
}

dump() {  # one dump; returns 1 (and keeps every earlier dump) when it fails
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    part="$BACKUP_DIR/.wenjiao-$stamp.dump.part"
    target="$BACKUP_DIR/wenjiao-$stamp.dump"
    if ! run pg_dump --format=custom --no-password --file="$part"; then
        rm -f "$part"
        fail "pg_dump failed; the earlier dumps are kept"
        return 1
    fi
    if ! pg_restore --list "$part" >/dev/null; then
        rm -f "$part"
        fail "the new dump is not readable by pg_restore; the earlier dumps are kept"
        return 1
    fi
    mv "$part" "$target" || return 1
    prune
    say "wrote $target ($(wc -c <"$target") bytes); keeping the newest $BACKUP_KEEP in $BACKUP_DIR"
}

umask 077  # the dumps hold the exchanges and the accounts' password hashes
mkdir -p "$BACKUP_DIR"
rm -f "$BACKUP_DIR"/.wenjiao-*.dump.part  # left by a dump that was killed
attempts=0
failures=0
while :; do
    if dump; then
        delay=$BACKUP_INTERVAL
    else
        failures=$((failures + 1))
        delay=$BACKUP_RETRY
    fi
    attempts=$((attempts + 1))
    if [ "$BACKUP_RUNS" -gt 0 ] && [ "$attempts" -ge "$BACKUP_RUNS" ]; then
        break
    fi
    run sleep "$delay" || :
done
[ "$failures" -eq 0 ]
