"""A TCP proxy in front of the database server that a test can cut, to drill outages
against a real PostgreSQL without stopping it for everyone else.

- ``cut()``: drop every connection through the proxy and refuse new ones (the server
  went away: a request mid-query loses its connection, the next one is refused);
- ``hang()``: accept connections but never answer (a network that drops packets: only a
  connect timeout ends the wait);
- ``restore()``: forward again, on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class DatabaseProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.host = "127.0.0.1"
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._hanging = False
        self._listen()

    # --- what a test does ---------------------------------------------------------------

    def cut(self) -> None:
        self._close_listener()
        self._drop_connections()

    def hang(self) -> None:
        self._drop_connections()
        self._hanging = True
        if self._listener is None:
            self._listen()

    def restore(self) -> None:
        self._drop_connections()
        self._hanging = False
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self.cut()

    # --- the forwarding -----------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: cut()
            self._track(client)
            if self._hanging:
                continue  # held open, never answered
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                self._close(client)
                continue
            server.settimeout(None)
            self._track(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        self._close(source)
        self._close(sink)

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _drop_connections(self) -> None:
        with self._lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            self._close(sock)
