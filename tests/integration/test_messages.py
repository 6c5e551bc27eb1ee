#!/usr/bin/env python3
"""-o messages=true passes pg_logical_emit_message through: op "message"
lines with prefix, content and transactional (and xid when transactional)."""

import harness


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_messages_slot"
    t.create_slot(slot)
    t.psql(r"""
        BEGIN;
        INSERT INTO test_rep VALUES (1, 'data1');
        SELECT pg_logical_emit_message(true, 'wh_tx', E'hello "world"\nline 2');
        COMMIT;
        SELECT pg_logical_emit_message(false, 'wh_nt', 'not in a transaction');
        INSERT INTO test_rep VALUES (2, 'data2');
    """)
    # (the insert after the non-transactional message also flushes it: a
    # message from a transaction without an xid is not flushed by itself,
    # so pg_current_wal_lsn() could still be before it)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")

    wh = t.run("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
               "-E", endpos)
    t.expect_exit(wh, 0)
    recs = wh.records()
    t.eq([r["op"] for r in recs], ["insert", "message", "message", "insert"], "ops")
    insert, tx_msg, nt_msg, insert2 = recs
    t.eq((insert["new"], insert2["new"]),
         ({"id": 1, "name": "data1"}, {"id": 2, "name": "data2"}), "inserted rows")

    t.eq({k: tx_msg.get(k) for k in ("op", "prefix", "content", "transactional")},
         {"op": "message", "prefix": "wh_tx", "content": 'hello "world"\nline 2',
          "transactional": True}, "transactional message")
    t.eq(tx_msg.get("xid"), insert["xid"], "xid of the transactional message")
    t.check(harness.parse_lsn(tx_msg["lsn"]) > harness.parse_lsn(insert["lsn"]),
            f"message lsn {tx_msg['lsn']} not after the insert's {insert['lsn']}")

    t.eq({k: nt_msg.get(k) for k in ("op", "prefix", "content", "transactional")},
         {"op": "message", "prefix": "wh_nt", "content": "not in a transaction",
          "transactional": False}, "non-transactional message")
    t.check("xid" not in nt_msg, f"a non-transactional message has an xid: {nt_msg!r}")
    harness.parse_lsn(nt_msg["lsn"])

    # without messages=true there are none
    slot2 = "wh_messages_off_slot"
    t.create_slot(slot2)
    t.psql("SELECT pg_logical_emit_message(true, 'wh_tx', 'unseen')")
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (100, 'after the end')")
    wh = t.run("-S", slot2, "--start", "--publication", "pub", "-E", endpos)
    t.expect_exit(wh, 0)
    t.eq(wh.records(), [], "output without messages=true")


harness.run("messages", main)
