# Sourced by the postgres image's entrypoint when it creates the cluster:
# let repuser in from other containers with its password. The line goes
# first in pg_hba.conf (the first matching line wins). A replication=database
# connection, as walhook makes, matches ordinary database lines like this one.
sed -i '1i host all repuser all scram-sha-256' "$PGDATA/pg_hba.conf"
