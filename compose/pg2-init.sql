-- pg2, database target_rep: the same tables, empty. walhook (as postgres)
-- applies pg1's changes here and keeps its position in a replication origin.
CREATE TABLE test_rep (id int PRIMARY KEY, name text);
CREATE TABLE test_rep_other (id int PRIMARY KEY, name text);
