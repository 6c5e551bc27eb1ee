#!/usr/bin/env python3
"""Names and values from the command line never become SQL, even where a
backslash escapes a quote (standard_conforming_strings = off, set for the
database, through PGOPTIONS or through `options` in the conninfo).

1. A slot name with a quote, a backslash and a second statement is refused
   before anything is sent, with the server's own words, for --start,
   --create-slot and --drop-slot; the table the name tries to drop stays.
   So are names the server would refuse anyway (upper case, too long).
2. A plugin option value holding \\' reaches the plugin exactly as given
   (the replication grammar reads no backslash escapes): test_decoding
   quotes it back in its error.
3. --create-publication quotes the publication's and the tables' names:
   a publication named with a double quote and a statement is created
   under exactly that name, and a table list with one fails on the name.
4. A plugin option or a publication holding a line break is refused (it
   would add lines to a recording's header)."""

import os

import harness

EVIL_SLOT = "x\\'; DROP TABLE victim; --"
EVIL_VALUE = "1\\'; DROP TABLE victim; --"
EVIL_PUB = 'pub"; DROP TABLE victim; --'
EVIL_TABLE = 'victim"; DROP TABLE victim; --'


def main(t):
    t.psql(f"""
        CREATE TABLE victim (id int PRIMARY KEY);
        INSERT INTO victim VALUES (1);
        ALTER DATABASE {t.db} SET standard_conforming_strings = off;
    """)

    def victim_stays(what):
        t.eq(t.scalar("SELECT count(*) FROM pg_class WHERE relname = 'victim'"), "1",
             f"the table victim after {what}")

    # The database's setting applies to every new session: check it does.
    t.eq(t.scalar("SHOW standard_conforming_strings"), "off",
         "standard_conforming_strings of a new session")

    no_scs = "-c standard_conforming_strings=off"
    env_scs = {**os.environ, "PGOPTIONS": no_scs}
    conninfos = [f"dbname={t.db}", f"dbname={t.db} options='{no_scs}'"]

    # 1. Slot names.
    bad_names = [
        (EVIL_SLOT, "contains invalid character"),
        ("MySlot", "contains invalid character"),
        ("a" * 64, "is too long"),
        ("", "is too short"),
    ]
    actions = [("--start",), ("--create-slot",), ("--drop-slot",),
               ("--create-slot", "--start")]
    for conninfo in conninfos:
        for name, why in bad_names:
            for action in actions:
                argv = [t.walhook_path, "-d", conninfo, "-S", name, *action,
                        "--publication", "pub", "--no-loop"]
                rc, out, err = harness.run_capture(argv, env=env_scs)
                what = f"-d {conninfo!r} -S {name!r} {' '.join(action)}"
                t.eq(rc, 1, f"exit status of {what}\n{err}")
                t.check(err.startswith("walhook: replication slot name") and why in err,
                        f"{what}: expected the slot name refused ({why}), got:\n{err}")
                t.eq(out, b"", f"output of {what}")
    victim_stays("the slot names")
    # Nothing reached the server: no slot of this database.
    t.eq(t.scalar(f"SELECT count(*) FROM pg_replication_slots WHERE database = '{t.db}'"),
         "0", "slots made by the refused names")
    print("slot names: refused before anything was sent")

    # 2. A plugin option's value, with the session's backslashes on.
    slot = "wh_hostile_sql_td"
    t.create_slot(slot, "test_decoding")
    for conninfo in conninfos:
        rc, out, err = harness.run_capture(
            [t.walhook_path, "-d", conninfo, "-S", slot, "--start", "--no-loop",
             "-o", f"include-xids={EVIL_VALUE}"], env=env_scs)
        t.eq(rc, 1, f"exit status with a hostile option value\n{err}")
        want = f'could not parse value "{EVIL_VALUE}" for parameter "include-xids"'
        t.check(want in err, f"the plugin did not get the value as given: expected\n"
                f"  {want}\nin\n{err}")
    victim_stays("the option value")
    print(f"option value: reached the plugin as {EVIL_VALUE!r}")

    # 3. Publication and table names.
    rc, out, err = harness.run_capture(
        [t.walhook_path, "-d", conninfos[1], "-S", "wh_hostile_pub", "--create-slot",
         "--create-publication", "--publication", EVIL_PUB], env=env_scs)
    t.eq(rc, 0, f"exit status of --create-publication with a quoted name\n{err}")
    t.eq(t.rows("SELECT pubname, puballtables FROM pg_publication ORDER BY 1"),
         [[EVIL_PUB, "t"]], "the publication made")
    rc, out, err = harness.run_capture(
        [t.walhook_path, "-d", conninfos[1], "-S", "wh_hostile_pub2", "--create-slot",
         f"--create-publication=public.{EVIL_TABLE}", "--publication", "pub2"],
        env=env_scs)
    t.eq(rc, 1, f"exit status of --create-publication with a hostile table\n{err}")
    t.check(f'relation "public.{EVIL_TABLE}" does not exist' in err,
            f"expected the table's name quoted back, got:\n{err}")
    victim_stays("the publication names")
    print("publication and table names: quoted")

    # 4. A line break would add lines to a recording's header.
    for args, want in [(["-o", "include-xids=1\nslot=other"], "invalid plugin option"),
                       (["--publication", "pub\nslot=other"], "invalid --publication")]:
        rc, out, err = harness.run_capture([t.walhook_path, "-d", conninfos[0], "-S", slot,
                                            "--start", *args])
        t.eq(rc, 1, f"exit status of {args}")
        t.check(err.startswith(f"walhook: {want}: ") and "line break" in err,
                f"{args}: expected {want!r}, got:\n{err}")


harness.run("hostile_sql", main)
