"""The sandbox's state: JSON documents in SQLite (a file with --data, memory otherwise), one lock, one writer.

Every write runs inside `transaction()`, so an order, its PDF, its number and its idempotency key are stored
together or not at all; that is what lets a fault strike after a write without leaving half a record.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from billit_sandbox import wire

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (kind TEXT NOT NULL, id INTEGER NOT NULL, company_id INTEGER NOT NULL,
                                 body TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS docs_company ON docs (kind, company_id);
CREATE INDEX IF NOT EXISTS docs_order_number ON docs (kind, company_id, json_extract(body, '$.OrderNumber'));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (company_id INTEGER NOT NULL, key TEXT NOT NULL, created TEXT NOT NULL,
                                        PRIMARY KEY (company_id, key));
CREATE TABLE IF NOT EXISTS files (file_id TEXT PRIMARY KEY, company_id INTEGER NOT NULL, name TEXT NOT NULL,
                                  mime TEXT NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (api_key TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS peppol (identifier TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_TABLES = ("docs", "counters", "idempotency", "files", "accounts", "peppol", "meta")


class Store:
    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=OFF")
        if path:
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(_SCHEMA)
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        with self.lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.conn.execute("COMMIT")

    def is_seeded(self) -> bool:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key='seeded'").fetchone()
            return row is not None

    def wipe(self) -> None:
        with self.transaction():
            for table in _TABLES:
                self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ids and sequences -------------------------------------------------------------------------------------
    def next_value(self, name: str, start: int = 1, consume: bool = True) -> int:
        with self.transaction():
            row = self.conn.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
            value = row[0] if row else start
            if consume:
                self.conn.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value + 1))
            return int(value)

    # documents ----------------------------------------------------------------------------------------------
    def put(self, kind: str, company_id: int, doc_id: int, body: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)", (kind, doc_id, company_id, wire.dumps(body))
            )

    def get(self, kind: str, company_id: int | None, doc_id: int) -> dict[str, Any] | None:
        with self.lock:
            if company_id is None:
                row = self.conn.execute("SELECT body FROM docs WHERE kind=? AND id=?", (kind, doc_id)).fetchone()
            else:
                row = self.conn.execute(
                    "SELECT body FROM docs WHERE kind=? AND id=? AND company_id=?", (kind, doc_id, company_id)
                ).fetchone()
        return wire.loads(row[0]) if row else None

    def delete(self, kind: str, company_id: int, doc_id: int) -> bool:
        with self.transaction():
            cursor = self.conn.execute(
                "DELETE FROM docs WHERE kind=? AND id=? AND company_id=?", (kind, doc_id, company_id)
            )
            return cursor.rowcount > 0

    def list(self, kind: str, company_id: int | None = None) -> list[dict[str, Any]]:
        with self.lock:
            if company_id is None:
                rows = self.conn.execute("SELECT body FROM docs WHERE kind=? ORDER BY id", (kind,)).fetchall()
            else:
                rows = self.conn.execute(
                    "SELECT body FROM docs WHERE kind=? AND company_id=? ORDER BY id", (kind, company_id)
                ).fetchall()
        return [wire.loads(row[0]) for row in rows]

    def orders_numbered(self, company_id: int, number: str) -> builtins.list[dict[str, Any]]:
        """The company's orders with this OrderNumber, found through the docs_order_number index."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT id, body FROM docs WHERE kind='order' AND company_id=? AND json_extract(body, '$.OrderNumber')=?",
                (company_id, number),
            ).fetchall()
        # Sorted here: an ORDER BY id makes SQLite walk the primary key (every order) to skip a sort of a few rows.
        return [wire.loads(body) for _id, body in sorted(rows)]

    def order_number_taken(self, company_id: int, order_type: str, number: str, except_id: int | None) -> bool:
        with self.lock:
            row = self.conn.execute(
                "SELECT 1 FROM docs WHERE kind='order' AND company_id=? AND json_extract(body, '$.OrderNumber')=?"
                " AND json_extract(body, '$.OrderType')=? AND id IS NOT ?",
                (company_id, number, order_type, except_id),
            ).fetchone()
        return row is not None

    # accounts -----------------------------------------------------------------------------------------------
    def put_account(self, api_key: str, body: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO accounts VALUES (?, ?)", (api_key, wire.dumps(body)))

    def account(self, api_key: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT body FROM accounts WHERE api_key=?", (api_key,)).fetchone()
        return wire.loads(row[0]) if row else None

    # idempotency --------------------------------------------------------------------------------------------
    def has_idempotency_key(self, company_id: int, key: str) -> bool:
        with self.lock:
            row = self.conn.execute(
                "SELECT 1 FROM idempotency WHERE company_id=? AND key=?", (company_id, key)
            ).fetchone()
        return row is not None

    def add_idempotency_key(self, company_id: int, key: str, created: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT INTO idempotency VALUES (?, ?, ?)", (company_id, key, created))

    # files --------------------------------------------------------------------------------------------------
    def put_file(self, file_id: str, company_id: int, name: str, mime: str, content: bytes) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", (file_id, company_id, name, mime, content)
            )

    def get_file(self, file_id: str, company_id: int) -> tuple[str, str, bytes] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT name, mime, content FROM files WHERE file_id=? AND company_id=?", (file_id, company_id)
            ).fetchone()
        return (row[0], row[1], bytes(row[2])) if row else None

    # peppol registry ----------------------------------------------------------------------------------------
    def register_participant(self, identifier: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR IGNORE INTO peppol VALUES (?)", (identifier,))

    def unregister_participant(self, identifier: str) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM peppol WHERE identifier=?", (identifier,))

    def is_participant(self, identifier: str) -> bool:
        with self.lock:
            return self.conn.execute("SELECT 1 FROM peppol WHERE identifier=?", (identifier,)).fetchone() is not None

    def close(self) -> None:
        with self.lock:
            self.conn.close()
