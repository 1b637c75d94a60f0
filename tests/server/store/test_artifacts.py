"""The artifact repositories: publishing and committing versions, aliases and ``latest``,
deletion rules, portfolios, listings with filters and orders, manifests and blobs, lineage."""

from __future__ import annotations

import json
import time

import pytest

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.run_filters import FilterError
from wandbkit.server.seed import seed_artifacts_benchmark, seed_basic, seed_basic_artifacts
from wandbkit.server.store import (
    InvalidNameError,
    NameConflictError,
    NewArtifact,
    NewEntry,
    ProjectRow,
    Store,
    StoreError,
    UnknownRowError,
)
from wandbkit.server.store.artifact_collections import PORTFOLIO
from wandbkit.server.store.artifact_manifests import parse_manifest


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def project(store: Store) -> ProjectRow:
    user = store.accounts.create_user("ada")
    project, _ = store.projects.upsert(user.default_entity_pk, "p", creator_pk=user.pk)
    return project


def publish(
    store: Store,
    project: ProjectRow,
    files: dict[str, bytes],
    *,
    name: str = "ds",
    aliases: tuple[str, ...] = (),
) -> int:
    """Publish and commit a version holding ``files``; its row id."""
    entries = []
    for path, data in files.items():
        blob = store.artifact_manifests.put_blob(data, fsync=False)
        entries.append(NewEntry(path, blob.md5, len(data)))
    digest = artifact_digest((e.path, e.digest) for e in entries)
    artifact, _ = store.artifacts.create_pending(
        project.pk, "dataset", name, digest, aliases=("latest", *aliases)
    )
    if artifact.state == "PENDING":
        store.artifact_manifests.replace_entries(artifact.pk, entries)
        store.artifacts.commit(artifact.pk)
    return artifact.pk


def aliases_of(store: Store, collection_pk: int, artifact_pk: int) -> list[str]:
    return [a.alias for a in store.artifact_memberships.aliases(collection_pk, artifact_pk)]


def test_a_commit_gives_the_next_version_index_latest_and_the_pending_aliases(
    store: Store, project: ProjectRow
) -> None:
    first = publish(store, project, {"a.txt": b"one"}, aliases=("best",))
    second = publish(store, project, {"a.txt": b"two"})
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None and sequence.is_sequence
    memberships = store.artifact_memberships
    assert memberships.resolve(sequence.pk, "v0").artifact_pk == first  # type: ignore[union-attr]
    assert memberships.resolve(sequence.pk, "v1").artifact_pk == second  # type: ignore[union-attr]
    assert aliases_of(store, sequence.pk, first) == ["best"]
    assert aliases_of(store, sequence.pk, second) == ["latest"]
    committed = store.artifacts.get_by_pk(second)
    assert committed is not None
    assert (committed.state, committed.size, committed.file_count) == ("COMMITTED", 3, 1)


def test_a_pending_version_is_never_listed_and_takes_no_index(
    store: Store, project: ProjectRow
) -> None:
    publish(store, project, {"a.txt": b"one"})
    blob = store.artifact_manifests.put_blob(b"two")
    digest = artifact_digest([("a.txt", blob.md5)])
    pending, sequence = store.artifacts.create_pending(project.pk, "dataset", "ds", digest)
    assert pending.state == "PENDING"
    versions = store.artifact_memberships.versions(sequence.pk, limit=10)
    assert [m.version_index for m in versions] == [0]
    assert store.artifact_memberships.resolve(sequence.pk, "latest") is not None
    assert store.artifact_memberships.resolve(sequence.pk, "v1") is None


def test_commit_refuses_files_whose_bytes_never_arrived_and_leaves_the_version_pending(
    store: Store, project: ProjectRow
) -> None:
    md5 = store.artifact_manifests.expect_blob("XUFAKrxLKna5cZ2REBfFkg==", None).md5
    digest = artifact_digest([("a.txt", md5)])
    pending, sequence = store.artifacts.create_pending(project.pk, "dataset", "ds", digest)
    store.artifact_manifests.replace_entries(pending.pk, [NewEntry("a.txt", md5, 5)])
    with pytest.raises(StoreError, match=r"not been uploaded: a\.txt"):
        store.artifacts.commit(pending.pk)
    assert store.artifacts.get_by_pk(pending.pk).state == "PENDING"  # type: ignore[union-attr]
    assert store.artifact_memberships.versions(sequence.pk, limit=10) == []


def test_commit_refuses_a_digest_that_does_not_match_the_manifest(
    store: Store, project: ProjectRow
) -> None:
    blob = store.artifact_manifests.put_blob(b"x")
    pending, _ = store.artifacts.create_pending(project.pk, "dataset", "ds", "0" * 32)
    store.artifact_manifests.replace_entries(pending.pk, [NewEntry("x", blob.md5, 1)])
    with pytest.raises(StoreError, match="digest"):
        store.artifacts.commit(pending.pk)


def test_the_same_content_again_is_the_existing_version(store: Store, project: ProjectRow) -> None:
    first = publish(store, project, {"a.txt": b"one"})
    again = publish(store, project, {"a.txt": b"one"}, aliases=("again",))
    assert again == first
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None
    assert aliases_of(store, sequence.pk, first) == ["latest", "again"]


def test_an_alias_is_unique_in_its_collection_and_moves_between_versions(
    store: Store, project: ProjectRow
) -> None:
    first = publish(store, project, {"a": b"1"}, aliases=("best",))
    second = publish(store, project, {"a": b"2"}, aliases=("best",))
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None
    assert aliases_of(store, sequence.pk, first) == []
    assert aliases_of(store, sequence.pk, second) == ["latest", "best"]
    with pytest.raises(InvalidNameError, match="looks like a version"):
        store.artifact_memberships.set_aliases(sequence.pk, first, ["v7"])


def test_a_version_with_aliases_is_deleted_only_when_asked_and_latest_moves_back(
    store: Store, project: ProjectRow
) -> None:
    first = publish(store, project, {"a": b"1"})
    second = publish(store, project, {"a": b"2"})
    with pytest.raises(StoreError, match="aliases"):
        store.artifacts.delete(second)
    store.artifacts.delete(second, delete_aliases=True)
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None
    assert aliases_of(store, sequence.pk, first) == ["latest"]
    third = publish(store, project, {"a": b"3"})
    third_membership = store.artifact_memberships.get(sequence.pk, third)
    assert third_membership is not None and third_membership.version_index == 2  # never reused


def test_linking_into_a_portfolio_gives_its_own_index_and_latest_and_unlinking_undoes_it(
    store: Store, project: ProjectRow
) -> None:
    first = publish(store, project, {"a": b"1"})
    second = publish(store, project, {"a": b"2"})
    portfolio = store.artifact_collections.ensure(project.pk, "dataset", "linked", kind=PORTFOLIO)
    memberships = store.artifact_memberships
    assert memberships.add(portfolio.pk, second).version_index == 0
    assert memberships.add(portfolio.pk, first).version_index == 1
    assert aliases_of(store, portfolio.pk, first) == ["latest"]
    assert memberships.remove(portfolio.pk, first)
    assert aliases_of(store, portfolio.pk, second) == ["latest"]
    with pytest.raises(NameConflictError, match="portfolio"):
        store.artifacts.create_pending(project.pk, "dataset", "linked", "d")


def test_version_listings_filter_and_order_in_sql_with_keyset_pages(
    store: Store, project: ProjectRow
) -> None:
    pks = [publish(store, project, {"a": bytes([i])}) for i in range(5)]
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None
    store.artifact_memberships.set_aliases(sequence.pk, pks[1], ["best"])
    store.artifacts.add_tags(pks[3], ["gold"])
    listing = store.artifact_memberships
    newest = listing.versions(sequence.pk, limit=2)
    assert [m.version_index for m in newest] == [4, 3]
    after = listing.versions(sequence.pk, limit=2, after_index=3)
    assert [m.version_index for m in after] == [2, 1]
    oldest = listing.versions(sequence.pk, order="+versionIndex", limit=2, after_index=0)
    assert [m.version_index for m in oldest] == [1, 2]
    assert [
        m.artifact_pk for m in listing.versions(sequence.pk, filters={"alias": "best"}, limit=9)
    ] == [pks[1]]
    assert listing.count_versions(sequence.pk, filters='{"tag": {"$in": ["gold"]}}') == 1
    assert listing.count_versions(sequence.pk, filters={"state": "COMMITTED"}) == 5
    # The same grammar as every other filter here: ranges, $nor, "v<index>" versions.
    assert [
        m.version_index
        for m in listing.versions(
            sequence.pk,
            filters={"versionIndex": {"$gte": "v3"}, "$nor": [{"aliases": "best"}]},
            limit=9,
        )
    ] == [4, 3]
    assert listing.count_versions(sequence.pk, filters={"tags.name": {"$exists": False}}) == 4
    with pytest.raises(FilterError, match="unknown field 'size'; expected one of state"):
        listing.versions(sequence.pk, filters={"size": 3}, limit=1)
    with pytest.raises(FilterError, match="cannot order by"):
        listing.versions(sequence.pk, order="-size", limit=1)


def test_collection_listings_filter_by_name_and_tag_and_page_by_name(
    store: Store, project: ProjectRow
) -> None:
    for name in ("cherry", "apple", "banana"):
        publish(store, project, {"a": name.encode()}, name=name)
    collections = store.artifact_collections
    banana = collections.get(project.pk, "banana")
    assert banana is not None
    collections.add_tags(banana.pk, ["fruit"])
    page = collections.listing(project.pk, order="name", limit=2)
    assert [c.name for c in page] == ["apple", "banana"]
    rest = collections.listing(project.pk, order="name", after=("banana", banana.pk), limit=2)
    assert [c.name for c in rest] == ["cherry"]
    newest = collections.listing(project.pk, order="-createdAt", limit=1)
    assert [c.name for c in newest] == ["banana"]
    assert collections.count(project.pk, filters={"tag": "fruit"}) == 1
    assert collections.count(project.pk, filters={"name": {"$regex": "^(a|c)"}}) == 2
    with pytest.raises(FilterError):
        collections.count(project.pk, filters={"name": {"$regex": "("}})


def test_collections_change_type_and_deleting_a_sequence_deletes_its_versions(
    store: Store, project: ProjectRow
) -> None:
    pk = publish(store, project, {"a": b"1"})
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None
    moved = store.artifacts.move_sequence(sequence.pk, "model")
    model = store.artifact_collections.get_type(project.pk, "model")
    assert model is not None and moved.type_pk == model.pk
    assert store.artifacts.get_by_pk(pk).type_pk == model.pk  # type: ignore[union-attr]
    store.artifacts.delete_collection(moved)
    assert store.artifact_collections.get(project.pk, "ds") is None
    assert store.artifacts.get_by_pk(pk).state == "DELETED"  # type: ignore[union-attr]
    publish(store, project, {"a": b"1"})  # the name is free again
    with pytest.raises(UnknownRowError):
        store.artifacts.delete(pk)


def test_blobs_are_stored_once_by_digest(store: Store, project: ProjectRow) -> None:
    first = store.artifact_manifests.put_blob(b"same bytes")
    again = store.artifact_manifests.put_blob(b"same bytes")
    assert first.pk == again.pk and first.stored
    assert store.artifact_manifests.blob_path(first.md5).read_bytes() == b"same bytes"


@pytest.mark.parametrize(
    "path", ["../up", "/etc/passwd", "a\\b", "a\x00b", "a//b", "./a", "a/..", ""]
)
def test_an_uploaded_manifest_with_an_unsafe_path_is_refused(path: str) -> None:
    body = json.dumps(
        {"version": 1, "contents": {path: {"digest": "XUFAKrxLKna5cZ2REBfFkg==", "size": 5}}}
    ).encode()
    with pytest.raises(InvalidNameError):
        parse_manifest(body, lambda _: None)


def test_an_uploaded_manifest_keeps_references_and_drops_client_local_fields() -> None:
    body = json.dumps(
        {
            "version": 1,
            "contents": {
                "a.txt": {"digest": "XUFAKrxLKna5cZ2REBfFkg==", "size": 5, "local_path": "/x"},
                "r": {"digest": "etag", "size": 0, "ref": "https://example.com/r"},
            },
        }
    ).encode()
    entries = parse_manifest(body, lambda _: None)
    assert [(e.path, e.ref, e.extra) for e in entries] == [
        ("a.txt", None, None),
        ("r", "https://example.com/r", None),
    ]
    with pytest.raises(StoreError, match="version"):
        parse_manifest(b'{"contents": {}}', lambda _: None)


def test_lineage_records_the_logging_run_and_the_using_runs(
    store: Store, project: ProjectRow
) -> None:
    producer = store.runs.create(project.pk, name="producer")
    consumer = store.runs.create(project.pk, name="consumer")
    blob = store.artifact_manifests.put_blob(b"x")
    entries = [NewEntry("x", blob.md5, 1)]
    (pk,) = store.artifacts.bulk_create(
        project.pk,
        "dataset",
        "ds",
        [NewArtifact(artifact_digest([("x", blob.md5)]), entries, created_by_run_pk=producer.pk)],
    )
    store.artifacts.use(pk, consumer.pk, "input")
    store.artifacts.use(pk, consumer.pk)
    assert [a.pk for a in store.artifacts.logged_by_run(producer.pk, after_pk=0, limit=5)] == [pk]
    assert [a.pk for a in store.artifacts.used_by_run(consumer.pk, after_pk=0, limit=5)] == [pk]
    assert store.artifacts.users_of(pk, after_pk=0, limit=5) == [consumer.pk]


def test_a_thousand_versions_bulk_load_and_page_fast(store: Store, project: ProjectRow) -> None:
    blob = store.artifact_manifests.put_blob(b"x")
    entries = [NewEntry("x", blob.md5, 1)]
    digest = artifact_digest([("x", blob.md5)])
    started = time.perf_counter()
    store.artifacts.bulk_create(
        project.pk, "model", "many", [NewArtifact(digest, entries) for _ in range(1000)]
    )
    sequence = store.artifact_collections.get(project.pk, "many")
    assert sequence is not None
    seen, after = 0, None
    while True:
        page = store.artifact_memberships.versions(sequence.pk, after_index=after, limit=100)
        if not page:
            break
        seen += len(page)
        after = page[-1].version_index
    assert seen == 1000
    assert time.perf_counter() - started < 5
    assert store.artifact_memberships.resolve(sequence.pk, "latest").version_index == 999  # type: ignore[union-attr]


def test_the_benchmark_seed_bulk_loads_its_three_collections(
    store: Store, project: ProjectRow
) -> None:
    bench = seed_artifacts_benchmark(
        store, project, small_files=30, large_files=2, large_file_size=3 << 20, versions=40
    )
    collections = store.artifact_collections
    small, large, many = (
        collections.get(project.pk, name) for name in (bench.small, bench.large, bench.many)
    )
    assert small is not None and large is not None and many is not None
    (small_member,) = store.artifact_memberships.versions(small.pk, limit=5)
    small_row = store.artifacts.get_by_pk(small_member.artifact_pk)
    assert small_row is not None and small_row.file_count == 30
    assert all(
        1024 <= e.size <= 20 * 1024 for e in store.artifact_manifests.all_entries(small_row.pk)
    )
    (large_member,) = store.artifact_memberships.versions(large.pk, limit=5)
    sizes = [e.size for e in store.artifact_manifests.all_entries(large_member.artifact_pk)]
    assert sizes == [3 << 20, 3 << 20]
    assert store.artifact_memberships.count_versions(many.pk) == 40


def test_the_basic_seed_gives_versions_aliases_tags_lineage_and_a_link(store: Store) -> None:
    seed = seed_basic(store)
    made = seed_basic_artifacts(store, seed)
    assert seed_basic_artifacts(store, seed) == made  # a second call adds nothing
    project = store.projects.find(made.entity, made.project)
    assert project is not None
    dataset = store.artifact_collections.get(project.pk, made.dataset)
    model = store.artifact_collections.get(project.pk, made.model)
    portfolio = store.artifact_collections.get(project.pk, made.portfolio)
    assert dataset is not None and model is not None and portfolio is not None
    assert not portfolio.is_sequence
    memberships = store.artifact_memberships
    assert memberships.count_versions(dataset.pk) == made.dataset_versions
    production = memberships.resolve(model.pk, "production")
    assert production is not None and production.version_index == made.model_versions - 1
    assert memberships.resolve(dataset.pk, "best") is not None
    assert memberships.resolve(portfolio.pk, "latest").artifact_pk == production.artifact_pk  # type: ignore[union-attr]
    consumer = store.runs.get(project.pk, made.consumer)
    assert consumer is not None
    assert len(store.artifacts.used_by_run(consumer.pk, after_pk=0, limit=9)) == 2
