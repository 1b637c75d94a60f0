"""Shipped migrations never change: their SQL text and the schema they build are pinned.

The store's tables moved from one module into a package of repositories (ARCHITECTURE P1);
each migration is now assembled from the DDL of the modules that own its tables. These digests
were taken from the single-module store before the move, so an edit to a shipped migration,
or a fragment assembled in another order, fails here instead of in a user's old database.
"""

from __future__ import annotations

import hashlib
import json

from wandbkit.server.store._db import Database
from wandbkit.server.store.migrations import MIGRATIONS

#: version -> (name, sha256 of the SQL text, has an upgrade step)
SHIPPED = {
    1: ("identity", "d4257a08cb98f0e676b46ff46ff717af849cacc82141b6f52be3b803099e1c62", False),
    2: ("projects", "fb8e3dd0edccf57b72004572dbc7a50ed1e3cf52e237ec223fa78cddcfaa572c", False),
    3: ("runs", "eafb0b06f5312fd0bcf7c18292b8ea269d223606a194c8fabfa23843aca069d5", False),
    4: ("history blocks", "5de468c91ea3f8f8c8fe34deee5fb2c5015b8f8c6d46f9c3ae64942debb818c6", True),
    5: ("console logs", "29f929fad6aa675c3d60fe6ff7c9f2cdb6d05122954b19738e8efe6581e9034c", False),
    6: ("sweeps", "4b45610354e7c9283b518069c335107d2f9dd2ba210deb91e43ec06023bfeb7b", False),
}

#: sha256 of ``sqlite_master`` (type, name, table, root page, SQL, in creation order) of a new
#: database with the six migrations above.
SCHEMA_DIGEST = "3ca4c78ab7c6890b89bd981ccc2f22e5f1919ff5c5a80270eaca57d904e52d6f"


def test_shipped_migrations_keep_their_exact_sql() -> None:
    found = {
        m.version: (m.name, hashlib.sha256(m.sql.encode()).hexdigest(), m.upgrade is not None)
        for m in MIGRATIONS
        if m.version in SHIPPED
    }
    assert found == SHIPPED
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_the_shipped_migrations_build_the_schema_they_always_built() -> None:
    db = Database(":memory:", migrations=MIGRATIONS[: len(SHIPPED)])
    rows = db.all("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master ORDER BY rowid")
    digest = hashlib.sha256(json.dumps([tuple(r) for r in rows]).encode()).hexdigest()
    assert digest == SCHEMA_DIGEST
