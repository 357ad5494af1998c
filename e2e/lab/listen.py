#!/usr/bin/env python3
"""Listens on each ADDR:PORT given (accepting and closing connections) until killed: open ports
for the lab, at addresses chosen by the test. Runs inside the lab's target namespace."""
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
for arg in sys.argv[1:]:
    addr, port = arg.rsplit(":", 1)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        try:
            conn, _ = key.fileobj.accept()
            conn.close()
        except OSError:
            pass
