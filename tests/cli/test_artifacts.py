"""``wandbkit artifact ls|get|publish|verify`` and ``wandbkit download`` of an artifact, against
a local server with the demo workspace: formats, bad arguments (exit 2) and missing objects
(exit 1, one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandbkit.server.testing import ServerHandle

from .support import Invoker, one_line_error, parse_json

Invoke = Invoker
PROJECT = "demo/cifar10-augment"


@pytest.fixture(scope="module")
def server(demo_server: ServerHandle) -> ServerHandle:
    """The demo workspace, for ``invoke``."""
    return demo_server


def test_ls_lists_a_projects_collections(invoke: Invoke) -> None:
    rows = parse_json(invoke("artifact", "ls", PROJECT, "--format", "json"))
    assert {(r["type"], r["name"]) for r in rows} == {
        ("dataset", "images"),
        ("model", "classifier"),
        ("model", "classifier-releases"),
    }
    models = parse_json(invoke("artifact", "ls", PROJECT, "--type", "model", "--format", "json"))
    assert sorted(r["name"] for r in models) == ["classifier", "classifier-releases"]


def test_ls_table_counts_on_stderr(invoke: Invoke) -> None:
    result = invoke("artifact", "ls", PROJECT)
    assert result.exit_code == 0, result.output
    assert "classifier" in result.stdout
    assert "3 collections in demo/cifar10-augment" in result.stderr


def test_ls_lists_a_collections_versions_with_or_without_type(invoke: Invoke) -> None:
    rows = parse_json(invoke("artifact", "ls", f"{PROJECT}/classifier", "--format", "json"))
    by_version = {r["version"]: r for r in rows}
    assert set(by_version) == {"v0", "v1"}
    assert "latest" in by_version["v1"]["aliases"]
    assert by_version["v1"]["type"] == "model"
    args = ["--type", "dataset", "--limit", "2", "--format", "json"]
    typed = parse_json(invoke("artifact", "ls", f"{PROJECT}/images", *args))
    assert len(typed) == 2
    assert {r["type"] for r in typed} == {"dataset"}


def test_ls_as_csv(invoke: Invoke) -> None:
    result = invoke("artifact", "ls", f"{PROJECT}/classifier", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert header.startswith("name,version,aliases")
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["artifact", "ls", "demo"], "ENTITY/PROJECT[/COLLECTION]"),
        (["artifact", "ls", "a/b/c/d"], "ENTITY/PROJECT[/COLLECTION]"),
        (["artifact", "ls", f"{PROJECT}/classifier:v0"], "artifact get"),
        (["artifact", "ls", PROJECT, "--format", "xml"], "--format"),
        (["artifact", "publish", "demo/p/c", "."], "--type"),
        (["artifact", "publish", "demo/p/c", "/no/such/path", "--type", "t"], "PATH"),
        (["artifact", "publish", "demo/p/c", ".", "--type", "t", "--metadata", "[1]"], "JSON"),
        (["artifact", "publish", "demo/p/c", ".", "--type", "t", "--metadata", "{"], "not JSON"),
        (["artifact", "verify", f"{PROJECT}/classifier:v0"], "--root"),
        (["artifact", "get", "demo/p/not a name:v0"], "name"),
        # The library's rule (as wandb's ValueError): a type mismatch is the caller's mistake.
        (["artifact", "get", f"{PROJECT}/classifier:v0", "--type", "dataset"], "of type 'model'"),
        (["download", f"{PROJECT}/classifier:v0", "--pattern", "%.bin"], "--pattern"),
    ],
)
def test_bad_arguments_exit_2(invoke: Invoke, args: list[str], needle: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["artifact", "ls", f"{PROJECT}/no-such-collection"], "no-such-collection"),
        (["artifact", "ls", f"{PROJECT}/nothing", "--type", "model"], "not found"),
        (["artifact", "get", f"{PROJECT}/classifier:v99"], "not found"),
        (["artifact", "ls", "demo/no-such-project"], "not found"),
    ],
)
def test_missing_objects_exit_1_with_one_line(invoke: Invoke, args: list[str], needle: str) -> None:
    one_line_error(invoke(*args), 1, needle)


def test_get_shows_fields_metadata_and_files(invoke: Invoke) -> None:
    result = invoke("artifact", "get", f"{PROJECT}/classifier:v1")
    assert result.exit_code == 0, result.output
    for needle in ("v1", "production", "metadata.accuracy", "weights/part-0.bin", "config.json"):
        assert needle in result.stdout
    [document] = parse_json(
        invoke("artifact", "get", f"{PROJECT}/classifier:latest", "--format", "json")
    )
    assert document["version"] == "v1"
    assert document["metadata"] == {"accuracy": 0.85, "epochs": 20}
    files = document["files"]
    assert isinstance(files, list)
    assert [f["path"] for f in files] == sorted(f["path"] for f in files)
    assert sum(f["size"] for f in files) == document["size"]
    assert len(files) == 4


def test_publish_then_get_download_and_verify(invoke: Invoke, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "nested").mkdir(parents=True)
    (data / "a.txt").write_text("alpha\n")
    (data / "nested" / "b.txt").write_text("beta\n")
    extra = tmp_path / "notes.md"
    extra.write_text("# notes\n")
    result = invoke(
        "artifact", "publish", "demo/cli-publish/bundle", str(data), str(extra),
        "--type", "dataset", "--alias", "golden", "--tag", "cli",
        "--metadata", '{"rows": 2}', "--description", "from the CLI",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "demo/cli-publish/bundle:v0"
    assert "published 3 files" in result.stderr

    [document] = parse_json(
        invoke("artifact", "get", "demo/cli-publish/bundle:golden", "--format", "json")
    )
    assert sorted(f["path"] for f in document["files"]) == ["a.txt", "nested/b.txt", "notes.md"]
    assert document["metadata"] == {"rows": 2}
    assert document["tags"] == ["cli"]
    assert document["description"] == "from the CLI"

    root = tmp_path / "copy"
    fetched = invoke("download", "demo/cli-publish/bundle:v0", "--root", str(root))
    assert fetched.exit_code == 0, fetched.output
    assert (root / "nested" / "b.txt").read_text() == "beta\n"
    verified = invoke("artifact", "verify", "demo/cli-publish/bundle:v0", "--root", str(root))
    assert verified.exit_code == 0, verified.output
    assert "3 files" in verified.stdout

    (root / "a.txt").write_text("changed\n")
    one_line_error(
        invoke("artifact", "verify", "demo/cli-publish/bundle:v0", "--root", str(root)),
        1,
        "a.txt",
    )
    (root / "a.txt").write_text("alpha\n")
    (root / "stray.bin").write_bytes(b"x")
    one_line_error(
        invoke("artifact", "verify", "demo/cli-publish/bundle:v0", "--root", str(root)),
        1,
        "stray.bin",
    )


def test_publishing_the_same_contents_again_answers_the_same_version(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "one.txt").write_text("same\n")
    first = invoke("artifact", "publish", "demo/cli-publish/same", str(tmp_path), "--type", "t")
    again = invoke("artifact", "publish", "demo/cli-publish/same", str(tmp_path), "--type", "t")
    assert first.exit_code == again.exit_code == 0, again.output
    assert first.stdout == again.stdout == "demo/cli-publish/same:v0\n"


def test_download_of_a_seeded_version_is_md5_checked(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("download", f"{PROJECT}/images:v0", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path)
    assert any(tmp_path.rglob("*"))
    verified = invoke("artifact", "verify", f"{PROJECT}/images:v0", "--root", str(tmp_path))
    assert verified.exit_code == 0, verified.output
