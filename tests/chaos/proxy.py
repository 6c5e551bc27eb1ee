"""A TCP proxy on 127.0.0.1 that can break PostgreSQL connections on demand.

    proxy = Proxy(upstream_port)      # listens on proxy.port
    proxy.reset_replication()         # RST every replication connection now
    proxy.arm_cut(bytes=5000)         # RST the current replication connection
                                      # after 5000 more server->client bytes
    proxy.arm_cut(messages=40)        # ... after 40 more whole messages
    proxy.arm_start_reset(2)          # RST the next 2 replication connections
                                      # as their client sends START_REPLICATION
    proxy.arm_keepalive_cut()         # RST the current replication connection
                                      # right after a keepalive that asks for a reply
    proxy.close()

One thread runs every connection through a selector, with a buffer per
direction, so a client that stops reading (SIGSTOP) holds back only its own
connection. The first packet of each client (the startup packet) is parsed
to tell replication connections (those with a `replication` parameter) from
ordinary ones; faults are aimed at the former only. The client must not ask
for TLS or GSS encryption (sslmode=disable gssencmode=disable), so that the
server's side is a plain run of protocol messages from its first byte,
which is what `messages` counts.

A reset closes the client's socket with SO_LINGER 0 (the client gets a
connection reset) and the server's socket plainly (the backend sees EOF).
"""

import re
import selectors
import socket
import struct
import threading
import time

BACKLOG_LIMIT = 1 << 20  # stop reading a side while the other has this much queued
# A whole CopyData message holding a primary keepalive whose last byte asks
# for a reply ('k', WAL end, send time, 1). A run of XLogData bytes could
# look the same: then that is where the cut falls, which is as good.
KEEPALIVE_ASKING = re.compile(rb"d\x00\x00\x00\x16k.{16}\x01", re.S)


class _Conn:
    def __init__(self, cid, client, upstream):
        self.cid = cid
        self.client = client
        self.upstream = upstream
        self.to_client = bytearray()
        self.to_upstream = bytearray()
        self.startup = bytearray()      # the client's first bytes, until parsed
        self.params = None              # startup parameters, once known
        self.replication = False
        self.s2c_bytes = 0
        self.s2c_messages = 0
        # server->client framing: bytes still to skip in the current message
        # body, and the partial 5-byte header being read
        self._body_left = 0
        self._hdr = bytearray()
        self.cut_bytes = None           # cut when this many more bytes have gone
        self.cut_messages = None        # cut after this many more whole messages
        self.cut_keepalive = False      # cut after a keepalive asking a reply
        self.opened = time.monotonic()
        self.closed = False
        self.reg = {"client": selectors.EVENT_READ, "upstream": selectors.EVENT_READ}

    def boundary_after(self, data, count):
        """Walk the server->client framing through `data`. Return (n, k):
        n the offset just after the count-th message that completes in
        `data` (None if fewer complete), k the messages completed in data
        up to that point (or in all of data)."""
        i = 0
        done = 0
        while i < len(data):
            if self._body_left:
                step = min(self._body_left, len(data) - i)
                self._body_left -= step
                i += step
                if self._body_left == 0:
                    done += 1
                    if count is not None and done == count:
                        return i, done
                continue
            need = 5 - len(self._hdr)
            take = data[i:i + need]
            self._hdr += take
            i += len(take)
            if len(self._hdr) == 5:
                length = struct.unpack("!I", bytes(self._hdr[1:5]))[0]
                self._hdr.clear()
                self._body_left = max(length - 4, 0)
                if self._body_left == 0:
                    done += 1
                    if count is not None and done == count:
                        return i, done
        return None, done


class Proxy:
    def __init__(self, upstream_port, upstream_host="127.0.0.1", log=None):
        self.upstream = (upstream_host, upstream_port)
        self.log = log or (lambda msg: None)
        self.sel = selectors.DefaultSelector()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, ("listen", None))
        self.sel.register(self._wake_r, selectors.EVENT_READ, ("wake", None))
        self._lock = threading.Lock()
        self._commands = []
        self.conns = {}
        self._next_id = 1
        self.resets = 0                 # connections this proxy broke
        self._start_resets = 0          # replication starts still to break
        self.accepted = 0
        self._stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    # -- commands (any thread) ----------------------------------------------

    def _command(self, fn):
        done = threading.Event()
        result = []
        with self._lock:
            self._commands.append((fn, done, result))
        self._wake_w.send(b"x")
        done.wait(10)
        return result[0] if result else None

    def reset_replication(self):
        """Reset every open replication connection; return how many."""
        def fn():
            victims = [c for c in self.conns.values() if c.replication]
            for c in victims:
                self._reset(c, "reset now")
            return len(victims)
        return self._command(fn)

    def arm_cut(self, bytes=None, messages=None):
        """Reset the current replication connection(s) once `bytes` more
        server->client bytes or `messages` more whole messages have been
        passed on. Return how many connections were armed. The arm dies
        with the connection."""
        def fn():
            armed = 0
            for c in self.conns.values():
                if c.replication:
                    c.cut_bytes = bytes
                    c.cut_messages = messages
                    armed += 1
            return armed
        return self._command(fn)

    def arm_start_reset(self, count=1):
        """Reset the next `count` replication connections when their client
        sends START_REPLICATION, before the server sees it: a connection
        lost while the stream starts. Return the count armed."""
        def fn():
            self._start_resets = count
            return count
        return self._command(fn)

    def arm_keepalive_cut(self):
        """Reset the current replication connection(s) right after the next
        keepalive that asks for a reply has been passed on: the client
        answers a connection that is gone. Return how many were armed."""
        def fn():
            armed = 0
            for c in self.conns.values():
                if c.replication:
                    c.cut_keepalive = True
                    armed += 1
            return armed
        return self._command(fn)

    def replication_connections(self):
        return self._command(lambda: sum(1 for c in self.conns.values() if c.replication))

    def close(self):
        self._stop = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self.thread.join(5)
        for c in list(self.conns.values()):
            self._close(c)
        for s in (self.listener, self._wake_r, self._wake_w):
            try:
                s.close()
            except OSError:
                pass

    # -- the loop ------------------------------------------------------------

    def _loop(self):
        while not self._stop:
            for key, events in self.sel.select(timeout=0.5):
                kind, conn = key.data
                try:
                    if kind == "listen":
                        self._accept()
                    elif kind == "wake":
                        self._run_commands()
                    else:
                        self._service(conn, key.fileobj, events)
                except OSError as e:
                    if conn is not None:
                        self.log(f"proxy conn {conn.cid}: {e}")
                        self._close(conn)

    def _run_commands(self):
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        with self._lock:
            cmds, self._commands = self._commands, []
        for fn, done, result in cmds:
            try:
                result.append(fn())
            finally:
                done.set()

    def _accept(self):
        try:
            client, _ = self.listener.accept()
        except BlockingIOError:
            return
        upstream = socket.create_connection(self.upstream, timeout=5)
        for s in (client, upstream):
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = _Conn(self._next_id, client, upstream)
        self._next_id += 1
        self.accepted += 1
        self.conns[conn.cid] = conn
        self.sel.register(client, selectors.EVENT_READ, ("client", conn))
        self.sel.register(upstream, selectors.EVENT_READ, ("upstream", conn))

    def _interest(self, conn):
        if conn.closed:
            return
        c_ev = 0
        u_ev = 0
        if len(conn.to_upstream) < BACKLOG_LIMIT:
            c_ev |= selectors.EVENT_READ
        if conn.to_client:
            c_ev |= selectors.EVENT_WRITE
        if len(conn.to_client) < BACKLOG_LIMIT:
            u_ev |= selectors.EVENT_READ
        if conn.to_upstream:
            u_ev |= selectors.EVENT_WRITE
        for s, ev, kind in ((conn.client, c_ev, "client"), (conn.upstream, u_ev, "upstream")):
            reg = conn.reg[kind]
            if ev == reg:
                continue
            if ev == 0:
                self.sel.unregister(s)
            elif reg == 0:
                self.sel.register(s, ev, (kind, conn))
            else:
                self.sel.modify(s, ev, (kind, conn))
            conn.reg[kind] = ev

    def _service(self, conn, sock, events):
        if conn.closed:
            return
        if sock is conn.client:
            if events & selectors.EVENT_READ and len(conn.to_upstream) < BACKLOG_LIMIT:
                data = sock.recv(65536)
                if not data:
                    self._close(conn)
                    return
                if conn.params is None:
                    self._parse_startup(conn, data)
                if (self._start_resets and conn.replication
                        and b"START_REPLICATION" in data):
                    self._start_resets -= 1
                    self._reset(conn, "reset at START_REPLICATION")
                    return
                conn.to_upstream += data
            if events & selectors.EVENT_WRITE and conn.to_client:
                n = sock.send(conn.to_client)
                del conn.to_client[:n]
        else:
            if events & selectors.EVENT_READ and len(conn.to_client) < BACKLOG_LIMIT:
                data = sock.recv(65536)
                if not data:
                    self._flush_and_close(conn)
                    return
                if self._forward_from_server(conn, data):
                    return
            if events & selectors.EVENT_WRITE and conn.to_upstream:
                n = sock.send(conn.to_upstream)
                del conn.to_upstream[:n]
        self._interest(conn)

    def _forward_from_server(self, conn, data):
        """Queue server bytes for the client, applying an armed cut.
        Return True when the connection was reset."""
        cut_at = None
        if conn.cut_bytes is not None and len(data) >= conn.cut_bytes:
            cut_at = conn.cut_bytes
        if conn.cut_messages is not None:
            at, k = conn.boundary_after(data, conn.cut_messages)
            if at is not None and (cut_at is None or at < cut_at):
                cut_at = at
            elif at is None:
                conn.cut_messages -= k
            conn.s2c_messages += k
        else:
            conn.s2c_messages += conn.boundary_after(data, None)[1]
        if conn.cut_keepalive:
            m = KEEPALIVE_ASKING.search(data)
            if m and (cut_at is None or m.end() < cut_at):
                cut_at = m.end()
        if cut_at is not None:
            conn.to_client += data[:cut_at]
            conn.s2c_bytes += cut_at
            # hand over what is queued, then reset
            try:
                conn.client.setblocking(True)
                conn.client.settimeout(1)
                conn.client.sendall(conn.to_client)
            except OSError:
                pass
            conn.to_client.clear()
            self._reset(conn, f"armed cut after {conn.s2c_bytes} bytes")
            return True
        if conn.cut_bytes is not None:
            conn.cut_bytes -= len(data)
        conn.to_client += data
        conn.s2c_bytes += len(data)
        return False

    def _parse_startup(self, conn, data):
        conn.startup += data
        if len(conn.startup) < 8:
            return
        length, code = struct.unpack("!II", bytes(conn.startup[:8]))
        if code in (80877103, 80877104):  # SSLRequest / GSSENCRequest
            conn.params = {}
            self.log(f"proxy conn {conn.cid}: client asked for encryption; not parsed")
            return
        if len(conn.startup) < length:
            return
        parts = bytes(conn.startup[8:length]).split(b"\0")
        params = {}
        for k, v in zip(parts[0::2], parts[1::2]):
            if k:
                params[k.decode(errors="replace")] = v.decode(errors="replace")
        conn.params = params
        conn.replication = "replication" in params
        conn.startup = bytearray()

    def _flush_and_close(self, conn):
        try:
            if conn.to_client:
                conn.client.setblocking(True)
                conn.client.settimeout(1)
                conn.client.sendall(conn.to_client)
        except OSError:
            pass
        self._close(conn)

    def _reset(self, conn, why):
        self.resets += 1
        self.log(f"proxy: reset replication connection {conn.cid} ({why})")
        try:
            conn.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self._close(conn)

    def _close(self, conn):
        if conn.closed:
            return
        conn.closed = True
        for s, kind in ((conn.client, "client"), (conn.upstream, "upstream")):
            try:
                if conn.reg[kind]:
                    self.sel.unregister(s)
            except (KeyError, ValueError, OSError):
                pass
            try:
                s.close()
            except OSError:
                pass
        self.conns.pop(conn.cid, None)
