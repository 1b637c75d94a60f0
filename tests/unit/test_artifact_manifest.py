"""The manifest model (``wandbkit._values.artifacts``): W&B's JSON in and out, the artifact
digest as the official SDK computes it, unsafe paths refused, TTLs and tags."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from wandbkit._values.artifacts import (
    ArtifactManifest,
    ManifestEntry,
    check_tags,
    manifest_path_problem,
    ttl_from_seconds,
    ttl_to_seconds,
)
from wandbkit.errors import APIError, UsageError

# The manifest the official SDK uploaded in the reference capture (official-sdk-wire §4a),
# whose artifact digest it sent as 39bf4fbd3b7e1c8498221eabcfbf4cdb.
CAPTURED: dict[str, Any] = {
    "version": 1,
    "storagePolicy": "wandb-storage-policy-v1",
    "storagePolicyConfig": {"storageLayout": "V2"},
    "contents": {
        "a.txt": {
            "digest": "NSIUE2LtvyJ+k2nifRvtWw==",
            "size": 17,
            "local_path": "/tmp/x",
            "birthArtifactID": "QXJ0aWZhY3Q6MQ==",
            "skip_cache": False,
        },
        "data/b.txt": {
            "digest": "6n1ynKFh8iXZR15CHxJ4NQ==",
            "size": 17,
            "birthArtifactID": "QXJ0aWZhY3Q6MQ==",
        },
        "data/sub/c.txt": {
            "digest": "qYHawFLmludzvjwLvd4O4g==",
            "size": 17,
            "birthArtifactID": "QXJ0aWZhY3Q6MQ==",
        },
    },
}


def test_the_captured_manifest_parses_and_digests_as_the_sdk_did() -> None:
    manifest = ArtifactManifest.from_json(CAPTURED)
    assert list(manifest.entries) == ["a.txt", "data/b.txt", "data/sub/c.txt"]
    entry = manifest.entries["a.txt"]
    assert entry.size == 17 and entry.birth_artifact_id == "QXJ0aWZhY3Q6MQ=="
    assert entry.local_path == "/tmp/x" and entry.extra == {"skip_cache": False}
    assert not entry.is_reference
    assert manifest.digest() == "39bf4fbd3b7e1c8498221eabcfbf4cdb"
    assert manifest.size() == 51 and len(manifest) == 3
    assert manifest.storage_layout == "V2" and manifest.storage_region == "default"


def test_json_round_trip_drops_only_the_local_path() -> None:
    out = ArtifactManifest.from_json(CAPTURED).to_json()
    assert out["contents"]["a.txt"] == {
        "digest": "NSIUE2LtvyJ+k2nifRvtWw==",
        "size": 17,
        "birthArtifactID": "QXJ0aWZhY3Q6MQ==",
        "skip_cache": False,
    }
    assert ArtifactManifest.from_json(out).digest() == "39bf4fbd3b7e1c8498221eabcfbf4cdb"


def test_references_keep_their_url() -> None:
    doc = {"version": 1, "contents": {"r": {"digest": "etag", "ref": "https://x/y"}}}
    entry = ArtifactManifest.from_json(doc).entries["r"]
    assert entry.is_reference and entry.ref == "https://x/y" and entry.size is None


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../x", "holds '..'"),
        ("a/../../x", "holds '..'"),
        ("/etc/passwd", "is absolute"),
        ("a\\b", "backslash"),
        ("a\x00b", "NUL"),
        ("a//b", "empty or '.' segment"),
        ("./a", "empty or '.' segment"),
        ("", "non-empty"),
    ],
)
def test_unsafe_paths_are_refused(path: str, problem: str) -> None:
    found = manifest_path_problem(path)
    assert found is not None and problem in found
    with pytest.raises(APIError, match="manifest is refused"):
        ArtifactManifest.from_json({"version": 1, "contents": {path: {"digest": "d"}}})
    with pytest.raises(UsageError, match="entry refused"):
        ArtifactManifest.from_entries([ManifestEntry(path, "d")])


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"version": 2, "contents": {}},
        {"version": 1},
        {"version": 1, "contents": {"a": "x"}},
        {"version": 1, "contents": {"a": {"size": 1}}},
        {"version": 1, "contents": {"a": {"digest": "d", "size": -1}}},
    ],
)
def test_malformed_manifests_are_api_errors(doc: object) -> None:
    with pytest.raises(APIError):
        ArtifactManifest.from_json(doc)


def test_from_entries_sorts_and_refuses_duplicates() -> None:
    manifest = ArtifactManifest.from_entries([ManifestEntry("b", "2"), ManifestEntry("a", "1")])
    assert list(manifest.entries) == ["a", "b"]
    with pytest.raises(UsageError, match="two entries"):
        ArtifactManifest.from_entries([ManifestEntry("a", "1"), ManifestEntry("a", "2")])


def test_ttls() -> None:
    assert ttl_from_seconds(None) is None and ttl_from_seconds(-2) is None
    assert ttl_from_seconds(60) == timedelta(minutes=1)
    assert ttl_to_seconds(timedelta(days=1), inherit=False) == 86400
    assert ttl_to_seconds(None, inherit=False) == -2
    assert ttl_to_seconds(None, inherit=True) == -1
    with pytest.raises(UsageError, match="positive"):
        ttl_to_seconds(timedelta(0), inherit=False)


def test_tags() -> None:
    assert check_tags(["a", "b c", "a", "x-y_z"]) == ["a", "b c", "x-y_z"]
    assert check_tags("solo") == ["solo"]
    for bad in ([" a"], ["a/b"], [""], [3], 3):
        with pytest.raises(UsageError):
            check_tags(bad)
