#!/bin/sh
# Entrypoint of the walhook service in compose.yaml: writes the passwords for
# pg1 (repuser) and pg2 (postgres) from the environment into a private
# .pgpass, so that they show neither in the command line nor in the logs,
# then runs walhook with the service's command as its arguments.
set -eu
umask 077

# A .pgpass field escapes '\' and ':' with a backslash.
field() {
	printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/:/\\:/g'
}

PGPASSFILE=${PGPASSFILE:-/tmp/walhook.pgpass}
export PGPASSFILE
{
	printf 'pg1:5432:*:repuser:%s\n' "$(field "$REPUSER_PASSWORD")"
	printf 'pg2:5432:*:postgres:%s\n' "$(field "$TARGET_PASSWORD")"
} >"$PGPASSFILE"
exec walhook "$@"
