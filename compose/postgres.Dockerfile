# PostgreSQL 15 (the official image, Debian bookworm) with the wal2json
# output plugin, for the pg1 and pg2 services of compose.yaml.
FROM postgres:15
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      postgresql-15-wal2json \
 && rm -rf /var/lib/apt/lists/*
