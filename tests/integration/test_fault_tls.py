#!/usr/bin/env python3
"""TLS, on a server of its own with a self-signed certificate
(scripts/sandbox start --ssl):
- sslmode=require streams, over an encrypted walsender connection;
- sslmode=verify-full with the server's own certificate as root streams;
- sslmode=verify-full with some other CA fails at once: exit 1, a clear
  certificate error on stderr, the slot untouched."""

import os
import signal
import subprocess

import harness


def stream_rows(t, slot, conninfo, first_id, label):
    """Stream with `conninfo` until rows first_id.. first_id+2 arrive;
    return whether the walsender's connection was encrypted."""
    argv = [t.walhook_path, "-d", conninfo, "-S", slot, "--start",
            "--publication", "pub", "-s", "1"]
    wh = harness.Walhook(argv)
    t.procs.append(wh)

    def walsender():
        if wh.proc.poll() is not None:
            harness.fail(f"walhook exited ({label})\n{wh.describe()}")
        return harness.slot_active_pid(t, slot)
    pid = harness.wait_for(walsender, 10, f"walhook to stream ({label})")
    ssl = t.scalar(f"SELECT ssl FROM pg_stat_ssl WHERE pid = {pid}")
    ids = list(range(first_id, first_id + 3))
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'tls{i}');\n" for i in ids))
    recs = wh.wait_records(lambda r: len(r) >= 3, 10, f"3 rows ({label})")
    t.eq([r["new"]["id"] for r in recs], ids, f"rows streamed ({label})")
    t.eq(wh.stop(signal.SIGTERM), 0, f"exit status after SIGTERM ({label})\n" + wh.describe())
    return ssl == "t"


def main(t, sb):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_fault_tls_slot"
    t.create_slot(slot)
    host = sb.env["PGHOST"]

    t.check(stream_rows(t, slot, f"dbname={t.db} host={host} sslmode=require", 1, "require"),
            "sslmode=require: the walsender's connection is not encrypted (pg_stat_ssl)")
    own_ca = os.path.join(sb.data, "server.crt")
    t.check(stream_rows(t, slot, f"dbname={t.db} host={host} sslmode=verify-full"
                                 f" sslrootcert={own_ca}", 4, "verify-full, own CA"),
            "sslmode=verify-full: the walsender's connection is not encrypted")

    # Some other CA: the server's certificate cannot be verified.
    other = os.path.join(t.tmp, "other-ca.crt")
    res = subprocess.run(
        ["openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-newkey", "rsa:2048",
         "-subj", "/CN=some other CA", "-keyout", os.path.join(t.tmp, "other-ca.key"),
         "-out", other], capture_output=True, timeout=60)
    t.eq(res.returncode, 0, "openssl making another CA\n" + res.stderr.decode(errors="replace"))
    before = t.confirmed(slot)
    wh = t.run("-d", f"dbname={t.db} host={host} sslmode=verify-full sslrootcert={other}",
               "-S", slot, "--start", "--publication", "pub", timeout=15)
    t.expect_exit(wh, 1)
    err = wh.stderr
    t.check(err.startswith("walhook: "), "stderr does not start with 'walhook: '\n" + wh.describe())
    t.check("certificate verify failed" in err,
            "stderr does not name the certificate failure\n" + wh.describe())
    t.check("reconnecting" not in err,
            "walhook retried a connection that cannot succeed\n" + wh.describe())
    t.eq(wh.records(), [], "output of the failed run")
    t.eq(t.confirmed(slot), before, "the slot's position after the failed run")
    print("verify-full with another CA:", err.strip().splitlines()[0])


harness.run_sandboxed("fault_tls", main, ssl=True)
