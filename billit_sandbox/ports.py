"""A free loopback port for a sandbox started by a test or a bench (the OS picks it; nothing listens on it yet)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
