#!/bin/sh
# Run a `wenjiao` command with the service's settings (docs/operations.md, "Running commands").
#
#   install -m 0755 /opt/wenjiao/deploy/wenjiao-cli.sh /usr/local/bin/wenjiao-cli
#   runuser -u wenjiao -- wenjiao-cli db current        # or: sudo -u wenjiao wenjiao-cli ...
#
# It reads the environment file of deploy/wenjiao.service (EnvironmentFile=) and runs the
# virtualenv's wenjiao, so a command sees the same database and settings as the server. Run it
# as the service user: files it creates (a SQLite database, a restored copy) must stay theirs.
# The file is read by the shell here and by systemd there; both agree on KEY=value lines whose
# value is plain or in 'single quotes' (docs/operations.md, "The environment file").
# ENV_FILE and VENV override the two locations.
set -eu
ENV_FILE=${ENV_FILE:-/etc/wenjiao/wenjiao.env}
VENV=${VENV:-/opt/wenjiao/.venv}
if [ ! -r "$ENV_FILE" ]; then
    echo "wenjiao-cli: cannot read $ENV_FILE (run as the service user or root)" >&2
    exit 1
fi
set -a
. "$ENV_FILE"
set +a
exec "$VENV/bin/wenjiao" "$@"
