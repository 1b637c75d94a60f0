"""Building a new artifact version (``api.create_artifact``) before anything is sent: files,
directories and references become manifest entries with their md5s, the digest is W&B's, and
bad input fails before any request."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

import wandbkit
from wandbkit.errors import UsageError


@pytest.fixture
def api() -> wandbkit.Api:
    # No transport is ever used: building a draft sends nothing.
    return wandbkit.Api(api_key="k" * 40, base_url="http://wandbkit.invalid")


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_files_and_directories_become_entries(api: wandbkit.Api, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"alpha")
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "b.txt").write_bytes(b"bravo")
    (data / "sub" / "c.txt").write_bytes(b"charlie")
    draft = api.create_artifact("e/p/ds", type="dataset", aliases=["best"], tags=["x y"])
    assert draft.add_file(tmp_path / "a.txt") == "a.txt"
    assert draft.add_dir(data, name="data") == ["data/b.txt", "data/sub/c.txt"]
    manifest = draft.manifest
    assert list(manifest.entries) == ["a.txt", "data/b.txt", "data/sub/c.txt"]
    assert manifest.entries["data/sub/c.txt"].digest == md5_b64(b"charlie")
    assert manifest.entries["a.txt"].size == 5
    expected = hashlib.md5(
        b"wandb-artifact-manifest-v1\n"
        + b"".join(f"{p}:{e.digest}\n".encode() for p, e in manifest.entries.items())
    ).hexdigest()
    assert draft.digest == expected
    assert "3 entries" in repr(draft)


def test_references(api: wandbkit.Api, tmp_path: Path) -> None:
    (tmp_path / "r.bin").write_bytes(b"ref")
    draft = api.create_artifact("p/refs", type="dataset")
    assert draft.add_reference("https://example.com/data/x.csv") == ["x.csv"]
    assert draft.add_reference((tmp_path / "r.bin").as_uri(), name="local/r.bin") == ["local/r.bin"]
    entries = draft.manifest.entries
    assert entries["x.csv"].ref == "https://example.com/data/x.csv"
    assert entries["local/r.bin"].digest == md5_b64(b"ref")
    with pytest.raises(UsageError, match="scheme 's3' are not supported"):
        draft.add_reference("s3://bucket/key")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda api: api.create_artifact("e/p/d:v0", type="dataset"), "no ':version' part"),
        (lambda api: api.create_artifact("e/p/d", type="bad type"), "type"),
        (lambda api: api.create_artifact("e/p/d", type="t", aliases=["a:b"]), "may not contain"),
        (lambda api: api.create_artifact("e/p/d", type="t", tags=["a/b"]), "tag"),
        (lambda api: api.create_artifact("e/p/d", type="t", metadata={"x": float("nan")}), "NaN"),
    ],
)
def test_bad_drafts_fail_before_any_request(api: wandbkit.Api, call: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call(api)  # type: ignore[operator]


def test_bad_entries(api: wandbkit.Api, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    draft = api.create_artifact("e/p/d", type="t")
    draft.add_file(tmp_path / "a.txt")
    with pytest.raises(UsageError, match="already has an entry"):
        draft.add_file(tmp_path / "a.txt")
    with pytest.raises(UsageError, match=r"holds '\.\.'"):
        draft.add_file(tmp_path / "a.txt", name="../escape")
    with pytest.raises(UsageError, match="is not a file"):
        draft.add_file(tmp_path / "missing")
    with pytest.raises(UsageError, match="is not a directory"):
        draft.add_dir(tmp_path / "a.txt")


def test_an_empty_draft_is_not_published(api: wandbkit.Api) -> None:
    with pytest.raises(UsageError, match="holds no files"):
        api.create_artifact("e/p/d", type="t").publish()


def test_new_file_and_remove(api: wandbkit.Api, tmp_path: Path) -> None:
    draft = api.create_artifact("e/p/notes", type="text")
    with draft.new_file("docs/readme.txt", mode="w") as handle:
        handle.write("hello")
    assert draft.manifest.entries["docs/readme.txt"].digest == md5_b64(b"hello")
    (tmp_path / "x").write_bytes(b"x")
    draft.add_file(tmp_path / "x")
    draft.remove("x")
    assert list(draft.manifest.entries) == ["docs/readme.txt"]
    with pytest.raises(UsageError, match="no entry at path 'x'"):
        draft.remove("x")
