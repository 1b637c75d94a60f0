"""The SQLite store and the seeds: persistence, hashed keys, migrations, idempotence."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from wandbkit.server import SeedResult, Store, seed_basic, seed_demo
from wandbkit.server.seed import DEMO_LAUNCH_PROJECTS, DEMO_PROJECTS, DEMO_REGISTRIES
from wandbkit.server.store import InvalidNameError, NameConflictError, StoreError
from wandbkit.server.store.migrations import MIGRATIONS
from wandbkit.server.store.text import hash_api_key, utc_timestamp


def test_data_survives_reopening_a_database_file(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    with Store(db) as store:
        seed = seed_basic(store)
        user = store.accounts.get_user(seed.username)
        assert user is not None
        store.projects.upsert(user.entity_pk, "kept", creator_pk=user.pk, description="d")
    with Store(str(db)) as reopened:
        user = reopened.accounts.get_user(seed.username)
        assert user is not None
        assert reopened.accounts.user_for_api_key(seed.api_key) == user
        project = reopened.projects.get(user.entity_pk, "kept")
        assert project is not None and project.description == "d"
        assert reopened.schema_version == MIGRATIONS[-1].version


def test_a_file_database_uses_wal(tmp_path: Path) -> None:
    with Store(tmp_path / "wal.db") as store:
        mode = store.db.one("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"


def test_api_keys_are_stored_only_as_hashes(tmp_path: Path) -> None:
    db = tmp_path / "keys.db"
    with Store(db) as store:
        seed = seed_basic(store)
    conn = sqlite3.connect(db)
    stored = [row[0] for row in conn.execute("SELECT key_hash FROM api_keys")]
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert stored == [hash_api_key(seed.api_key)]
    assert seed.api_key not in dump


def test_a_database_from_a_newer_wandbkit_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {MIGRATIONS[-1].version + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this wandbkit"):
        Store(db)


def test_seed_basic_creates_an_org_a_user_a_team_and_a_hex_key() -> None:
    store = Store()
    seed = seed_basic(store)
    assert seed == SeedResult(seed.api_key, "demo", "demo", "demo-team", "demo-org")
    assert re.fullmatch(r"[0-9a-f]{40}", seed.api_key)
    assert seed.api_key not in repr(seed)
    user = store.accounts.user_for_api_key(seed.api_key)
    team = store.entities.get("demo-team")
    org = store.entities.get_organization("demo-org")
    assert user is not None and team is not None and org is not None
    assert team.kind == "team" and team.organization_pk == org.pk
    assert store.entities.is_team_member(team.pk, user.pk)
    assert store.entities.is_organization_member(org.pk, user.pk)


def test_seeding_again_reuses_everything_and_adds_a_key() -> None:
    store = Store()
    first = seed_basic(store)
    second = seed_basic(store)
    assert second.api_key != first.api_key
    assert (second.username, second.team, second.organization) == ("demo", "demo-team", "demo-org")
    user = store.accounts.get_user("demo")
    assert user is not None
    assert len(store.accounts.api_keys(user.pk)) == 2
    assert store.accounts.user_for_api_key(first.api_key) == store.accounts.user_for_api_key(
        second.api_key
    )
    assert store.counts() == {"users": 1, "entities": 3, "projects": 0, "runs": 0}


def test_seeding_with_a_given_key_registers_it_once() -> None:
    store = Store()
    key = "0123456789abcdef0123456789abcdef01234567"
    assert seed_basic(store, api_key=key).api_key == key
    assert seed_basic(store, api_key=key).api_key == key
    user = store.accounts.get_user("demo")
    assert user is not None and len(store.accounts.api_keys(user.pk)) == 1


def test_a_key_cannot_be_registered_to_two_users() -> None:
    store = Store()
    key = seed_basic(store).api_key
    with pytest.raises(StoreError, match="another user"):
        seed_basic(store, username="someone-else", api_key=key)


def test_seed_demo_spreads_projects_over_the_user_and_the_team() -> None:
    store = Store()
    now = datetime(2025, 6, 1, tzinfo=timezone.utc)
    seed = seed_demo(store, now=now)
    user = store.accounts.get_user(seed.username)
    team = store.entities.get(seed.team)
    assert user is not None and team is not None
    mine = [p.name for p in store.projects.list(user.entity_pk, limit=100)]
    ours = [p.name for p in store.projects.list(team.pk, limit=100)]
    assert {"mnist-baselines", "scratch"} <= set(mine)
    assert {"llm-finetune", "diffusion-sweeps"} <= set(ours)
    assert len(mine) + len(ours) == len(DEMO_PROJECTS) + len(DEMO_LAUNCH_PROJECTS)
    created = sorted(p.created_at for p in store.projects.list(team.pk, limit=100))
    assert created[0] < utc_timestamp(now) and len(set(created)) == len(created)
    # Idempotent: a second run adds no projects.
    seed_demo(store, now=now)
    assert store.counts()["projects"] == (
        len(DEMO_PROJECTS) + len(DEMO_REGISTRIES) + len(DEMO_LAUNCH_PROJECTS)
    )


@pytest.mark.parametrize("name", ["", "a b", "a/b", "é", "x" * 129, ".", ".."])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidNameError):
        Store().accounts.create_user(name)


def test_entity_names_are_unique_across_users_teams_and_organizations() -> None:
    store = Store()
    store.accounts.create_user("taken")
    with pytest.raises(NameConflictError):
        store.entities.create_team("taken")
    with pytest.raises(NameConflictError):
        store.entities.create_organization("taken")


def test_a_failed_transaction_leaves_nothing_behind() -> None:
    store = Store()
    with pytest.raises(RuntimeError), store.transaction():
        store.entities.create_team("half-done")
        raise RuntimeError("boom")
    assert store.entities.get("half-done") is None
    assert store.counts() == {"users": 0, "entities": 0, "projects": 0, "runs": 0}


def test_the_store_can_be_used_from_many_threads_at_once() -> None:
    store = Store()
    seed = seed_basic(store)
    user = store.accounts.get_user(seed.username)
    assert user is not None
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                store.projects.upsert(user.entity_pk, f"t{n}-{i}", creator_pk=user.pk)
                assert store.accounts.user_for_api_key(seed.api_key) is not None
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.counts()["projects"] == 160
