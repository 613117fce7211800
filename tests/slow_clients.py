"""Clients that send a POST body one byte a second: what must not starve /healthz, straight at
gunicorn with the compose stack's workers (tests/faults/test_slow_clients.py) and through the
TLS proxy (tests/test_proxy.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

_SLOW_POST = (
    "POST /complain/ HTTP/1.1\r\nHost: {host}\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
)


def slow_client(connect: Callable[[], socket.socket], host: str, stop: threading.Event) -> None:
    """POST a 1,000-byte body one byte a second, on the socket `connect` opens, until `stop`."""
    with connect() as sock:
        sock.sendall(_SLOW_POST.format(host=host).encode())
        while not stop.wait(1.0):
            try:
                sock.sendall(b"a")
            except OSError:
                return


def timed_under_slow_clients(
    connect: Callable[[], socket.socket],
    host: str,
    measure: Callable[[], float],
    *,
    clients: int = 3,
    samples: int = 3,
) -> list[float]:
    """`measure()` taken `samples` times while `clients` slow clients are mid-body."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=slow_client, args=(connect, host, stop)) for _ in range(clients)
    ]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # all of them are mid-body now
        return [measure() for _ in range(samples)]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
