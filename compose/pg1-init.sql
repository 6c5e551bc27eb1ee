-- pg1, database source_rep: the replication user, the seed tables and the
-- publication walhook streams. Run once, by the image's entrypoint, when the
-- data directory is created (compose/pg-hba.sh then lets repuser in).

-- The password comes from the environment (REPUSER_PASSWORD in compose.yaml).
\getenv repuser_password REPUSER_PASSWORD
CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD :'repuser_password';

CREATE TABLE test_rep (id int PRIMARY KEY, name text);
CREATE TABLE test_rep_other (id int PRIMARY KEY, name text);

-- --snapshot reads the tables as repuser.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO repuser;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO repuser;

CREATE PUBLICATION pub FOR TABLE test_rep, test_rep_other;
