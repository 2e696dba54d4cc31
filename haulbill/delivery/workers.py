"""Who is working: lease owners, whether an owner is still alive, and a bounded pool of database-safe threads.

A lease owner reads `host:pid:random`. On the sweeper's own host a lease whose process is gone is taken over at
once (a killed worker leaves no doubt); on another host only an expired lease is, since we cannot see its process.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import OperationalError, close_old_connections, connection

log = logging.getLogger(__name__)
HOST = socket.gethostname()[:40]
T = TypeVar("T")
R = TypeVar("R")


def new_owner() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_gone(owner: str) -> bool:
    """True only when the owner ran on this host and its process no longer exists."""
    host, _sep, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def db_retry(fn: Callable[[], T], attempts: int = 50) -> T:
    """Run a short database write again when SQLite reports a lock (its shared-cache mode does not wait)."""
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(0.005 * (attempt + 1), 0.1))
    raise AssertionError("unreachable")


def run_pool(fn: Callable[[T], R], items: Iterable[T], workers: int, on_result: Callable[[T, R], None]) -> None:
    """Call `fn` on every item from at most `workers` threads; each thread closes its database connection at the
    end (Django opens one per thread). With one worker, or inside a transaction (whose rows other threads could
    not see yet), everything runs in the calling thread."""
    work = list(items)
    if not work:
        return
    if workers <= 1 or len(work) == 1 or connection.in_atomic_block:
        for item in work:
            on_result(item, fn(item))
        return
    pending: queue.Queue[T] = queue.Queue()
    for item in work:
        pending.put(item)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            while True:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                result = fn(item)
                with lock:
                    on_result(item, result)
        except BaseException as exc:  # surfaced in the calling thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, name=f"push-{n}", daemon=True) for n in range(min(workers, len(work)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    if errors:
        raise errors[0]
