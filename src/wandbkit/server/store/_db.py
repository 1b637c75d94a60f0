"""The one SQLite connection every repository of the store shares, with its lock and clock.

* One connection shared by all threads, guarded by a re-entrant lock. uvicorn runs resolvers
  on one event loop, tests and seeders touch the store from other threads, and SQLite calls
  here are short, so one lock is simpler than per-thread connections and never deadlocks on
  SQLite's own file locks. File databases use WAL so a second process (``wandbkit server
  seed`` beside a running server) can read while the server writes.
* The schema is a list of numbered migrations (:mod:`wandbkit.server.store.migrations`);
  ``PRAGMA user_version`` records how far a database has come.
* :attr:`Database.clock` is the store's notion of now; every repository stamps rows with
  :meth:`Database.stamp`, so tests that replace the clock travel in time everywhere at once.
"""

from __future__ import annotations

import dataclasses
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from wandbkit.server.run_filters import register_sql_functions
from wandbkit.server.signing import UrlSigner
from wandbkit.server.store.errors import StoreError
from wandbkit.server.store.events import StoreEvent, StoreEvents
from wandbkit.server.store.text import precise_timestamp, utc_now, utc_timestamp

#: The secret that signs file URLs, made once with the database (part of migration 3).
SERVER_SECRETS_SQL = """
CREATE TABLE IF NOT EXISTS server_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
INSERT OR IGNORE INTO server_secrets (name, value) VALUES ('url_signing', randomblob(32));
"""


@dataclass(frozen=True)
class Migration:
    """One step of the store's schema; ``version`` is written to ``PRAGMA user_version``."""

    version: int
    name: str
    sql: str
    #: Runs after ``sql``, in the same transaction: for moving data SQL cannot move alone.
    upgrade: Callable[[sqlite3.Connection], None] | None = None


def script(*fragments: str) -> str:
    """One migration's SQL from the DDL fragments of several modules, in order.

    Each fragment is a triple-quoted block of statements; the result is the block that one
    module used to spell (a newline, the statements one per line, a newline), so a shipped
    migration keeps its exact text when its tables move to different modules.
    """
    return "\n" + "\n".join(fragment.strip("\n") for fragment in fragments) + "\n"


def row_dict(row: sqlite3.Row) -> dict[str, Any]:
    """``dict(row)`` for a row whose column names are distinct (``SELECT *`` of one table),
    about twice as fast: ``dict(row)`` looks every column up by name."""
    return dict(zip(row.keys(), row, strict=True))


RowT = TypeVar("RowT")
_plain_fields: dict[type, frozenset[str] | None] = {}


def make_row(cls: type[RowT], values: dict[str, Any]) -> RowT:
    """``cls(**values)`` for a frozen dataclass, several times faster when ``values`` holds
    exactly its fields: a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__`` (6 µs for the 19 fields of an artifact, of which a page of versions
    makes 51), so the instance's ``__dict__`` is filled directly. Anything else (other keys,
    a class with ``__post_init__``, slots or defaults to apply) calls the constructor, with its
    errors."""
    names = _plain_fields.get(cls, ())
    if names == ():
        names = _plain_fields[cls] = _settable_fields(cls)
    if names is None or values.keys() != names:
        return cls(**values)
    row = object.__new__(cls)
    row.__dict__.update(values)
    return row


def _settable_fields(cls: type) -> frozenset[str] | None:
    """The field names of a dataclass whose instances may be made by :func:`make_row`."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    if "__slots__" in cls.__dict__:
        return None
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        return None
    return frozenset(f.name for f in fields)


def lastrowid(cur: sqlite3.Cursor) -> int:
    """The row id an ``INSERT`` just made."""
    pk = cur.lastrowid
    assert pk is not None
    return int(pk)


def _split_sql(text: str) -> list[str]:
    # Migrations run statement by statement inside our own transaction: executescript()
    # would COMMIT first and break the all-or-nothing migration.
    return [s.strip() for s in text.split(";") if s.strip()]


class Database:
    """The store's SQLite connection: pragmas, lock, transactions, queries, clock, migrations.

    Args:
        path: a database file (created if missing) or ``":memory:"``.
        clock: the store's "now".
        migrations: the schema steps, in version order; those the database has not applied
            yet run on opening.

    Raises:
        StoreError: the database has a newer schema than ``migrations`` know.
    """

    def __init__(
        self,
        path: str,
        *,
        clock: Callable[[], datetime] | None = None,
        migrations: Sequence[Migration],
    ) -> None:
        self.path = path
        self.clock: Callable[[], datetime] = clock or utc_now
        self.lock = threading.RLock()
        #: Facts of committed writes, for listeners (the automations dispatcher).
        self.events = StoreEvents()
        # check_same_thread=False: the server thread and the caller's thread share this
        # connection; the lock serialises every use of it.
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA busy_timeout = 5000")
        self.in_memory = path in ("", ":memory:") or path.startswith("file::memory:")
        if not self.in_memory:
            self.connection.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL never corrupts the database; it only skips the fsync at each
            # commit (a power cut may lose the last commits, a crash of the process loses
            # nothing). Reads commit too: every first page of a runs listing saves its cursor
            # snapshot, and an emulator need not wait for the disk on each of them.
            self.connection.execute("PRAGMA synchronous = NORMAL")
        # The run filter compiler emits REGEXP and helper functions; every connection needs
        # them (this store has exactly one).
        register_sql_functions(self.connection)
        self._migrate(migrations)

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.connection.close()

    def now(self) -> datetime:
        """The store's current time (see ``clock``)."""
        return self.clock()

    def stamp(self, *, seconds: bool = False) -> str:
        """The store's current time as timestamp text: the fixed-width form with microseconds
        (runs, history, files, sweeps) or, with ``seconds``, the whole-second form identity and
        project rows keep (W&B serves their ``createdAt`` without a fraction)."""
        moment = self.now()
        return utc_timestamp(moment) if seconds else precise_timestamp(moment)

    @property
    def schema_version(self) -> int:
        """The last migration this database has applied."""
        with self.lock:
            return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        known = migrations[-1].version
        with self.lock:
            current = self.schema_version
            if current > known:
                raise StoreError(
                    f"database {self.path!r} has schema version {current}, newer than this "
                    f"wandbkit knows ({known}); upgrade wandbkit"
                )
            for migration in migrations:
                if migration.version <= current:
                    continue
                with self.transaction() as conn:
                    for statement in _split_sql(migration.sql):
                        conn.execute(statement)
                    if migration.upgrade is not None:
                        migration.upgrade(conn)
                    # PRAGMA takes no parameters; the version is our own int.
                    conn.execute(f"PRAGMA user_version = {int(migration.version)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the block in one write transaction (rolled back on error).

        Nested use joins the outer transaction.
        """
        with self.lock:
            if self.connection.in_transaction:
                yield self.connection
                return
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                self.events.discard()
                raise
            self.connection.execute("COMMIT")
            committed = self.events.take()
        # Outside the lock: listeners read the store and may take a while.
        self.events.deliver(committed)

    def emit(self, event: StoreEvent) -> None:
        """Note a fact of the open transaction; listeners hear it once the outermost
        transaction commits (:mod:`wandbkit.server.store.events`)."""
        with self.lock:
            self.events.emit(event)
            if not self.connection.in_transaction:
                self.events.deliver(self.events.take())

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or ``None``."""
        with self.lock:
            row: sqlite3.Row | None = self.connection.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        with self.lock:
            return list(self.connection.execute(sql, params).fetchall())

    def count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """The number a ``SELECT COUNT(*)`` query returns."""
        row = self.one(sql, params)
        return int(row[0]) if row is not None else 0

    def rows_by_pks(self, select: str, pks: Iterable[int]) -> list[sqlite3.Row]:
        """``select`` (ending in ``IN``) for these row ids, in chunks that stay far below
        SQLite's limit on bound parameters."""
        unique = list(dict.fromkeys(pks))
        rows: list[sqlite3.Row] = []
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows += self.all(f"{select} ({','.join('?' * len(chunk))})", chunk)
        return rows

    def table_sizes(self, tables: Sequence[str]) -> dict[str, int]:
        """How many rows each of these tables holds (one query; names are our own)."""
        counts = ", ".join(f"(SELECT COUNT(*) FROM {table}) AS {table}" for table in tables)
        row = self.one(f"SELECT {counts}")
        assert row is not None
        return {table: int(row[table]) for table in tables}

    @property
    def signing_secret(self) -> bytes:
        """The key that signs this store's URLs (random, made with the database)."""
        row = self.one("SELECT value FROM server_secrets WHERE name = 'url_signing'")
        assert row is not None
        return bytes(row["value"])

    @functools.cached_property
    def url_signer(self) -> UrlSigner:
        """Signs and checks this store's URL tokens: its secret (read once, it never changes)
        and its current ``clock``."""
        return UrlSigner(self.signing_secret, self.now)
