"""What committed, and what walhook's file sink holds, as comparable lists.

The oracle is a wal2json slot on the source, created in the same statement
as walhook's slot (before any workload) and never streamed: read once at the
end with pg_logical_slot_peek_changes, it lists every committed change in
commit order. The oracle slot is created *without* two-phase decoding, so a
prepared transaction shows up at its COMMIT PREPARED, in the commit order of
that, and one rolled back never shows up: exactly what walhook, which keeps
commit semantics by default, must deliver. Streamed (in-progress)
transactions do not exist for it either: the peek decodes whole committed
transactions only.

A change is named by (LSN of its WAL record, schema.table). The workload
makes no multi-insert records (no COPY), so one record holds one change; a
TRUNCATE of several tables is one record with one entry per table, hence the
table in the name. Both wal2json's `lsn` and walhook's change `lsn` are the
record's LSN, so the name is the same on both sides; the xid is not used to
match (pgoutput sends a subtransaction's xid inside a streamed transaction).

The invariant on the file sink, checked by `check_file` (see
tests/chaos/README.md for the argument):

Let O be the oracle's changes in commit order, rank r(c) = position in O.
Let F be the file's lines in file order, each mapped to ranks (a truncate
line gives one rank per relation). Then:

  F1  every line of F names a change of O (nothing uncommitted, rolled back
      or invented is written), with the same op and the same new row (and,
      for deletes and REPLICA IDENTITY FULL tables, the same old row);
  F2  split F into runs at every descent, i.e. before each position whose
      rank is <= the rank just before it. Each run must be a block of
      consecutive ranks (r, r+1, r+2, ...): a delivery pass never skips a
      committed change, but for one exception: a pass may leave out whole
      prepared transactions (their lines carry a gid) that an earlier pass
      wrote whole. A pass that resumes after such a transaction's PREPARE
      but before its COMMIT PREPARED gets only the COMMIT PREPARED from the
      server, with no changes: walhook confirmed past the PREPARE only once
      the transaction was durable, so there is nothing to write again;
  F3  each run after the first starts at the first change of a transaction
      (redelivery resumes at a transaction boundary);
  F4  the first run starts at rank 0 and the last run ends at the last rank.

F2-F4 together give: every committed change is in the file at least once
(each run after the first starts no later than the end of the run before
it, so the runs cover 0..N-1 without a hole), and for every row key the
last line written is the key's final change in commit order (an older value
never follows the newer one for good). Per key this is the weaker rule
"the file's sequence for the key, cut into redelivered runs, contains the
oracle's sequence for the key in order, and ends with its last element";
the report shows the per-key view of whatever broke the global rule.
"""

import json
import subprocess

STRUCTURAL_OPS = {"I": "insert", "U": "update", "D": "delete", "T": "truncate"}


def parse_lsn(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def format_lsn(value):
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def norm(value):
    """Column values compared as text: wal2json and walhook both print ints
    as JSON numbers and text as strings; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _cols(items):
    return {c["name"]: norm(c.get("value")) for c in items or []}


class Change:
    __slots__ = ("rank", "lsn", "table", "op", "xid", "new", "old", "txn",
                 "first_in_txn", "commit_lsn")

    def key(self):
        return (self.lsn, self.table)

    def row_key(self, key_cols):
        """The key a per-key view groups by: key column values, or the whole
        row for a keyless table (REPLICA IDENTITY FULL)."""
        row = self.old if self.op == "delete" else self.new
        if self.op == "truncate" or row is None:
            return (self.table, "*truncate*")
        cols = key_cols.get(self.table)
        if cols:
            return (self.table, tuple(row.get(c) for c in cols))
        return (self.table, tuple(sorted(row.items())))

    def describe(self):
        row = self.new if self.new is not None else self.old
        return (f"{self.op} {self.table} xid {self.xid} lsn {format_lsn(self.lsn)}"
                f" (txn commit {format_lsn(self.commit_lsn or 0)}) {row}")


def read_oracle(psql_rows, slot):
    """Peek the oracle slot; return the list of Change in commit order.
    psql_rows(sql) -> list of text lines."""
    lines = psql_rows(
        f"SELECT data FROM pg_logical_slot_peek_changes('{slot}', NULL, NULL,"
        " 'format-version', '2', 'include-xids', '1', 'include-lsn', '1',"
        " 'include-pk', '1', 'include-type-oids', '0')")
    changes = []
    pending = []
    txn = 0
    for line in lines:
        d = json.loads(line)
        action = d.get("action")
        if action == "B":
            pending = []
            txn += 1
        elif action == "C":
            commit = parse_lsn(d["lsn"])
            for i, c in enumerate(pending):
                c.commit_lsn = commit
                c.first_in_txn = i == 0
            changes.extend(pending)
            pending = []
        elif action in STRUCTURAL_OPS:
            c = Change()
            c.lsn = parse_lsn(d["lsn"])
            c.table = f"{d['schema']}.{d['table']}"
            c.op = STRUCTURAL_OPS[action]
            c.xid = d.get("xid")
            c.new = _cols(d.get("columns")) if "columns" in d else None
            c.old = _cols(d.get("identity")) if "identity" in d else None
            c.txn = txn
            c.first_in_txn = False
            c.commit_lsn = None
            pending.append(c)
        # "M" (messages) are not made by the workload
    seen = set()
    for i, c in enumerate(changes):
        c.rank = i
        if c.key() in seen:
            raise ValueError(f"two oracle changes named {c.key()}: the workload made a"
                             " multi-insert record, which this oracle cannot name")
        seen.add(c.key())
    return changes


class FileLine:
    __slots__ = ("lineno", "ids", "op", "table", "new", "old", "xid", "raw",
                 "gid")


def read_file_sink(path):
    """The file sink's lines as FileLine (a truncate line carries one id per
    relation). Returns (lines, damaged) where damaged lists (lineno, text)
    of lines that are not JSON; a torn line followed by a whole one on the
    same line is read from its last '{"op"'."""
    out = []
    damaged = []
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return out, damaged
    text = raw.decode("utf-8", "replace")
    parts = text.split("\n")
    tail_cut = not text.endswith("\n") and parts[-1] != ""
    if text.endswith("\n"):
        parts = parts[:-1]
    for n, line in enumerate(parts, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError:
            damaged.append((n, line[:200] + ("..." if len(line) > 200 else "")))
            at = line.rfind('{"op"')
            if at <= 0:
                at = line.rfind('{"cascade"')
            if at <= 0:
                continue
            try:
                d = json.loads(line[at:])
            except ValueError:
                continue
        fl = FileLine()
        fl.lineno = n
        fl.op = d.get("op")
        fl.xid = d.get("xid")
        fl.gid = d.get("gid")
        fl.raw = line
        if fl.op == "truncate":
            fl.ids = [(parse_lsn(d["lsn"]), f"{r['schema']}.{r['table']}")
                      for r in d.get("relations", [])]
            fl.table = ",".join(i[1] for i in fl.ids)
            fl.new = fl.old = None
        else:
            fl.table = f"{d.get('schema')}.{d.get('table')}"
            fl.ids = [(parse_lsn(d["lsn"]), fl.table)] if d.get("lsn") else []
            fl.new = {k: norm(v) for k, v in d["new"].items()} if "new" in d else None
            fl.old = {k: norm(v) for k, v in d["old"].items()} if "old" in d else None
        out.append(fl)
    if tail_cut:
        damaged.append((len(parts), "(last line has no newline)"))
    return out, damaged


def check_file(oracle, lines, full_identity_tables, key_cols, limit=15):
    """The rules F1-F4 above. Returns a list of problem strings (empty:
    the file holds every committed change, in order)."""
    problems = []
    by_id = {c.key(): c for c in oracle}
    seq = []      # (rank, FileLine)
    phantom = []
    wrong = []
    for fl in lines:
        for ident in fl.ids:
            c = by_id.get(ident)
            if c is None:
                phantom.append(fl)
                continue
            if fl.op != c.op:
                wrong.append((fl, c, f"op {fl.op} instead of {c.op}"))
            elif c.op in ("insert", "update") and fl.new != c.new:
                wrong.append((fl, c, f"new {fl.new} instead of {c.new}"))
            elif c.op == "delete" or (c.op == "update" and c.table in full_identity_tables):
                if c.old is not None and fl.old is not None and fl.old != c.old:
                    wrong.append((fl, c, f"old {fl.old} instead of {c.old}"))
            seq.append((c.rank, fl))
    if phantom:
        problems.append(f"F1: {len(phantom)} file lines name no committed change, e.g. "
                        + "; ".join(f"line {fl.lineno}: {fl.raw[:160]}" for fl in phantom[:3]))
    if wrong:
        problems.append(f"F1: {len(wrong)} file lines differ from the committed change, e.g. "
                        + "; ".join(f"line {fl.lineno} {c.describe()}: {why}"
                                    for fl, c, why in wrong[:3]))
    n = len(oracle)
    if n == 0:
        if seq:
            problems.append("F1: the oracle is empty but the file is not")
        return problems
    if not seq:
        problems.append(f"F4: the file holds none of the {n} committed changes")
        return problems

    runs = []     # [start_rank, end_rank, first_line, last_line]
    gaps = []     # (run index, after rank, next rank, line)
    bad_starts = []
    prepared_before = set()  # ranks written so far as part of a prepared txn

    def prepared_done(after, nxt):
        """The F2 exception: ranks after+1 .. nxt-1 are whole transactions,
        each written whole before as a prepared one."""
        if not oracle[after + 1].first_in_txn or (nxt < n and not oracle[nxt].first_in_txn):
            return False
        return all(r in prepared_before for r in range(after + 1, nxt))

    for i, (rank, fl) in enumerate(seq):
        if i == 0 or rank <= seq[i - 1][0]:
            runs.append([rank, rank, fl.lineno, fl.lineno])
            if i > 0 and not oracle[rank].first_in_txn:
                bad_starts.append((rank, fl))
            if fl.gid:
                prepared_before.add(rank)
            continue
        if fl.gid:
            prepared_before.add(rank)
        if rank != runs[-1][1] + 1 and not prepared_done(runs[-1][1], rank):
            gaps.append((len(runs) - 1, runs[-1][1], rank, fl))
        runs[-1][1] = rank
        runs[-1][3] = fl.lineno

    covered = set(r for r, _ in seq)
    missing = [c for c in oracle if c.rank not in covered]
    if missing:
        problems.append(
            f"lost: {len(missing)} of {n} committed changes are not in the file; first:\n"
            + "\n".join("    " + c.describe() for c in missing[:limit])
            + _group_missing(missing))
    for run, after, nxt, fl in gaps[:5]:
        skipped = oracle[after + 1:nxt]
        problems.append(
            f"F2: a delivery pass skipped {nxt - after - 1} committed changes: file line"
            f" {fl.lineno} has rank {nxt} right after rank {after} (skipped from"
            f" {skipped[0].describe()})")
    if len(gaps) > 5:
        problems.append(f"F2: ... {len(gaps) - 5} more skips")
    for rank, fl in bad_starts[:3]:
        problems.append(f"F3: redelivery at file line {fl.lineno} starts in the middle of a"
                        f" transaction: {oracle[rank].describe()}")
    if runs[0][0] != 0:
        problems.append(f"F4: the file starts at rank {runs[0][0]}, not at the first"
                        f" committed change {oracle[0].describe()}")
    if runs[-1][1] != n - 1:
        last = oracle[runs[-1][1]]
        problems.append(
            f"F4: the last run of the file (lines {runs[-1][2]}-{runs[-1][3]}) ends at rank"
            f" {runs[-1][1]} of {n - 1}: after {last.describe()} the file goes back and never"
            " reaches the end again")
        # per key: which keys end on an older value
        final = {}
        for c in oracle:
            final[c.row_key(key_cols)] = c.rank
        last_seen = {}
        for rank, fl in seq:
            last_seen[oracle[rank].row_key(key_cols)] = rank
        stale = [(k, last_seen[k], final[k]) for k in final
                 if k in last_seen and last_seen[k] != final[k]]
        if stale:
            problems.append(f"    {len(stale)} keys end on an older change, e.g. "
                            + "; ".join(f"{k}: last written rank {a}, final rank {b}"
                                        for k, a, b in stale[:5]))
    return problems


def _group_missing(missing):
    """Missing changes grouped into transactions (by commit LSN)."""
    groups = {}
    for c in missing:
        groups.setdefault(c.commit_lsn, []).append(c)
    keys = sorted(groups)
    lines = [f"\n    in {len(keys)} transactions, commit LSNs "
             + ", ".join(format_lsn(k) for k in keys[:12])
             + (" ..." if len(keys) > 12 else "")]
    return "".join(lines)


def run_lines(argv, sql, timeout=300):
    res = subprocess.run(argv, input=sql.encode(), capture_output=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"psql failed: {res.stderr.decode(errors='replace').strip()}")
    out = res.stdout.decode()
    return [l for l in out.split("\n") if l]
