#!/bin/sh
# Run a PostgreSQL client (pg_dump, pg_restore, psql) on wenjiao's database as wenjiao itself
# connects: the user, password, host, port and database of WENJIAO_DATABASE_URL in the service's
# environment file, handed over as PG* variables, so the password never appears in a command
# line that `ps` shows. docs/operations.md ("Backup and restore") uses it:
#
#   runuser -u wenjiao -- /opt/wenjiao/deploy/wenjiao-pg.sh pg_dump --format=custom --file=F
#   runuser -u wenjiao -- /opt/wenjiao/deploy/wenjiao-pg.sh psql -c 'select 1'
#
# Objects restored with this are owned by the database user of the URL, as the server needs.
# ENV_FILE and VENV override the two locations (the virtualenv's Python parses the URL).
set -eu
ENV_FILE=${ENV_FILE:-/etc/wenjiao/wenjiao.env}
VENV=${VENV:-/opt/wenjiao/.venv}
set -a
. "$ENV_FILE"
set +a
case "${WENJIAO_DATABASE_URL:-}" in
    postgresql*|postgres*) ;;
    *) echo "wenjiao-pg: WENJIAO_DATABASE_URL in $ENV_FILE is not a PostgreSQL URL" >&2; exit 1 ;;
esac
# postgresql+asyncpg://user:pass@host:port/db?ssl=require -> PGUSER, PGPASSWORD, ... PGSSLMODE
eval "$("$VENV/bin/python" - <<'EOF'
import os
import shlex

from sqlalchemy.engine import make_url

url = make_url(os.environ["WENJIAO_DATABASE_URL"])
ssl = url.query.get("ssl") or url.query.get("sslmode")
for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                    ("PGPASSWORD", url.password), ("PGDATABASE", url.database),
                    ("PGSSLMODE", ssl if isinstance(ssl, str) else None)):
    if value is not None:
        print(f"export {name}={shlex.quote(str(value))}")
EOF
)"
exec "$@"
